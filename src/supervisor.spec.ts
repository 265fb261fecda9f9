import { WORKER_HEAP_FLAGS, workerEnv, workerExecArgv } from './supervisor.js';

describe('worker heap settings', () => {
  it('gives each worker the heap settings on top of node\'s own arguments', () => {
    expect(workerExecArgv(['--enable-source-maps'], '')).toEqual(['--enable-source-maps', ...WORKER_HEAP_FLAGS]);
  });

  it('leaves a setting the operator gave, in node\'s arguments or NODE_OPTIONS', () => {
    expect(workerExecArgv(['--max-old-space-size=1024'], '')).toEqual(['--max-old-space-size=1024', '--max-semi-space-size=2']);
    expect(workerExecArgv([], '--max-semi-space-size=8 --trace-gc')).toEqual(['--max-old-space-size=256']);
  });
});

describe('worker environment', () => {
  it('caps glibc\'s arenas unless the operator set it', () => {
    expect(workerEnv({})).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(workerEnv({ MALLOC_ARENA_MAX: '4' })).toEqual({});
  });
});
