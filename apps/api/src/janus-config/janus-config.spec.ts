import { join } from 'node:path';
import { loadConfig } from '../config/onair-config';
import { janusTemplateValues, renderJanusConfig, renderTemplate } from './janus-config';

const TEMPLATES = join(__dirname, '../../../../infra/janus');
const paths = { prefix: '/opt/janus', configsFolder: '/var/lib/onair/janus' };
const config = (env: Record<string, string> = {}) =>
  loadConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/onair', JANUS_API_SECRET: 's3cret', JANUS_ADMIN_SECRET: 'adm1n', ...env });

describe('renderTemplate', () => {
  it.each([
    ['a = "{{x}}"', { x: 'b' }, 'a = "b"'],
    ['{{x}}-{{y}}', { x: '1', y: '2' }, '1-2'],
    ['no placeholders', {}, 'no placeholders'],
  ])('%s', (tpl, values, out) => {
    expect(renderTemplate(tpl, values)).toBe(out);
  });

  it('refuses an unknown placeholder', () => {
    expect(() => renderTemplate('{{nope}}', {})).toThrow('unknown value {{nope}}');
  });

  it('refuses a value that would break out of a libconfig string', () => {
    expect(() => renderTemplate('s = "{{x}}"', { x: 'a"; evil = "1' })).toThrow('quotes');
  });
});

describe('Janus configuration from onair config', () => {
  it('splits the port range between ICE and mountpoints without overlap', () => {
    const v = janusTemplateValues(config({ ONAIR_RTP_PORT_RANGE: '20000-40000' }), paths);
    expect(v.iceRtpPortRange).toBe('20000-29999');
    expect(v.mountpointPortRange).toBe('30000-40000');
  });

  it('keeps the Janus API and Admin API on the configured loopback ports', () => {
    const files = renderJanusConfig(TEMPLATES, config({ JANUS_WS_URL: 'ws://127.0.0.1:18188', JANUS_ADMIN_WS_URL: 'ws://127.0.0.1:18189' }), paths);
    const ws = files['janus.transport.websockets.jcfg'];
    expect(ws).toMatch(/ws_port = 18188/);
    expect(ws).toMatch(/ws_ip = "127.0.0.1"/);
    expect(ws).toMatch(/admin_ws_port = 18189/);
    expect(ws).toMatch(/admin_ws_ip = "127.0.0.1"/);
  });

  it('protects both APIs with secrets and turns on consent freshness', () => {
    const core = renderJanusConfig(TEMPLATES, config(), paths)['janus.jcfg'];
    expect(core).toMatch(/api_secret = "s3cret"/);
    expect(core).toMatch(/admin_secret = "adm1n"/);
    expect(core).toMatch(/ice_keepalive_conncheck = true/);
    expect(core).toMatch(/ice_consent_freshness = true/);
    expect(core).toMatch(/plugins_folder = "\/opt\/janus\/lib\/janus\/plugins"/);
  });

  it.each([
    [{}, undefined],
    [{ JANUS_EVENT_LOOPS: '0' }, undefined],
    [{ JANUS_EVENT_LOOPS: '2' }, 'event_loops = 2'],
  ])('event loops for %j', (env, line) => {
    const core = renderJanusConfig(TEMPLATES, config(env), paths)['janus.jcfg'];
    if (line) expect(core).toContain(line);
    else expect(core).not.toContain('event_loops');
  });

  it('refuses a negative event loop count', () => {
    expect(() => config({ JANUS_EVENT_LOOPS: '-1' })).toThrow('JANUS_EVENT_LOOPS');
  });

  it.each([
    [{}, ['ice_lite = false', 'ice_tcp = false'], ['ice_enforce_list', 'nat_1_1_mapping', 'stun_server']],
    [{ ONAIR_ICE_TCP: 'true' }, ['ice_lite = true', 'ice_tcp = true'], ['ice_lite = false']],
    [{ ONAIR_ICE_INTERFACE: '127.0.0.2' }, ['ice_enforce_list = "127.0.0.2"'], ['nat_1_1_mapping']],
    [{ ONAIR_PUBLIC_IP: '203.0.113.7' }, ['nat_1_1_mapping = "203.0.113.7"'], ['ice_enforce_list']],
    [{ ONAIR_STUN_SERVER: 'stun.example.org:3478' }, ['stun_server = "stun.example.org"', 'stun_port = 3478'], []],
  ])('NAT settings for %j', (env, present, absent) => {
    const core = renderJanusConfig(TEMPLATES, config(env), paths)['janus.jcfg'];
    for (const p of present) expect(core).toContain(p);
    for (const a of absent) expect(core).not.toContain(a);
  });

  it('names rooms and mountpoints by string ids in both plugins', () => {
    const files = renderJanusConfig(TEMPLATES, config(), paths);
    expect(files['janus.plugin.videoroom.jcfg']).toMatch(/string_ids = true/);
    expect(files['janus.plugin.streaming.jcfg']).toMatch(/string_ids = true/);
  });
});
