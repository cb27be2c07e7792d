import type { z } from 'zod';
import { DomainError } from '../errors/domain-error';

/**
 * Parses a request body with a zod schema; a failure is a 400 whose message names every
 * field at fault, e.g. `sign-up: password: password must be at least 10 characters`.
 */
export function parseWith<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
    throw new DomainError('bad-request', `${what}: ${issues.join('; ')}`);
  }
  return parsed.data;
}
