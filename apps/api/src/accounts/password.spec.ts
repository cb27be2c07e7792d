import { hashPassword, verifyPassword } from './password';

describe('password hashing', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('treats a Unicode password and its NFKC form as the same', async () => {
    const stored = await hashPassword('ﬁre'); // U+FB01 ligature
    expect(await verifyPassword('fire', stored)).toBe(true);
  });

  it.each([['plain'], ['bcrypt$10$x$y'], ['scrypt$99$8$1$c2FsdA$aGFzaA'], ['scrypt$15$8$1$$']])('rejects malformed stored hash %s', async (stored) => {
    expect(await verifyPassword('x', stored)).toBe(false);
  });
});
