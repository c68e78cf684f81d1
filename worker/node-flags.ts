/**
 * How a worker process is started (the embedded stack, the benchmarks and the drills; docker-compose.yml sets the
 * same through NODE_OPTIONS and MALLOC_ARENA_MAX). Measured with `npm run bench` (BENCHMARKS.md):
 * - a small young generation (2 MiB semi-spaces) and an old generation of at most 192 MiB: V8 collects garbage
 *   instead of growing the heap ahead of it. These are a GC target, not what bounds the worker's memory: the
 *   work is chunked (notices and readiness a chunk of firms at a time), so the live heap stays far below it at
 *   every size the benchmark runs, 1,000 folders × 20,000 firms included;
 * - two malloc arenas: Temporal's native core is multi-threaded, and glibc's default (8 per core) keeps freed
 *   memory in each.
 * WORKER_NODE_FLAGS in the environment replaces the flags (for measurements).
 */
export const WORKER_NODE_FLAGS = process.env.WORKER_NODE_FLAGS !== undefined
  ? process.env.WORKER_NODE_FLAGS.split(' ').filter(Boolean)
  : ['--max-semi-space-size=2', '--max-old-space-size=192'];

export const WORKER_ENV = { MALLOC_ARENA_MAX: '2' };
