import { FfmpegProcesses } from './ffmpeg';

/**
 * The process handling of FfmpegProcesses, with Node itself standing in for the ffmpeg
 * binary (`node -e <script>`): a real child process, so stdin, stdout, stderr, exit codes,
 * the timeout and the kill are exercised without ffmpeg installed.
 */
const node = () => new FfmpegProcesses({ ffmpegPath: process.execPath });
const script = (js: string, timeoutMs = 5000, input?: Buffer) => ({ args: ['-e', js], input, timeoutMs });

describe('FfmpegProcesses', () => {
  it('feeds the input on stdin and resolves with stdout once the process exits 0', async () => {
    const out = await node().run(script('process.stdin.pipe(process.stdout)', 5000, Buffer.from('a keyframe')));
    expect(out.toString()).toBe('a keyframe');
  });

  it.each([
    ['a non-zero exit, with the last line of stderr', 'console.error("first\\nInvalid data found"); process.exit(1)', /^ffmpeg exited 1: Invalid data found$/],
    ['exit 0 with nothing on stdout', 'process.exit(0)', /^ffmpeg exited 0: $/],
  ])('rejects on %s', async (_, js, message) => {
    await expect(node().run(script(js))).rejects.toThrow(message);
  });

  it('kills a run that takes longer than its timeout', async () => {
    const started = Date.now();
    await expect(node().run(script('setTimeout(() => {}, 60000)', 300))).rejects.toThrow('ffmpeg took longer than 300 ms and was killed');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('says so when the binary cannot be started', async () => {
    const missing = new FfmpegProcesses({ ffmpegPath: '/nonexistent/ffmpeg' });
    await expect(missing.run(script(''))).rejects.toThrow(/^cannot run \/nonexistent\/ffmpeg: .*ENOENT/);
  });

  it('kills what is still running at shutdown', async () => {
    const ffmpeg = node();
    const running = ffmpeg.run(script('setTimeout(() => {}, 60000)', 60000));
    await new Promise((r) => setTimeout(r, 100));
    ffmpeg.onApplicationShutdown();
    await expect(running).rejects.toThrow('ffmpeg was killed (SIGKILL)');
  });
});
