/**
 * How a worker process is started (the embedded stack, the benchmarks and the drills; docker-compose.yml sets
 * MALLOC_ARENA_MAX the same way). Measured with `npm run bench` (BENCHMARKS.md):
 * - V8's own heap settings. The memory-saving GC target used before (`--max-semi-space-size=2
 *   --max-old-space-size=192`) made V8 scavenge far more often, on the thread that also runs the local
 *   activities and hands the workflow tasks on: with V8's defaults a 40-folder batch's folder phase was 16 %
 *   shorter and the worker's CPU per folder 15 % lower (5 interleaved pairs, issue 27). What bounds the worker's
 *   memory is the work being chunked (notices and readiness a chunk of firms at a time), not a GC target: the
 *   live heap stays far below 200 MiB at every size the benchmark runs, and the 1,000-folder row's peak is held
 *   to 1.25× the 200-folder row's and under 400 MiB (BENCHMARKS.md, history growth);
 * - two malloc arenas: Temporal's native core is multi-threaded, and glibc's default (8 per core) keeps freed
 *   memory in each.
 * WORKER_NODE_FLAGS in the environment sets flags (for measurements, or an operator who must trade speed for memory).
 */
export const WORKER_NODE_FLAGS = process.env.WORKER_NODE_FLAGS !== undefined ? process.env.WORKER_NODE_FLAGS.split(' ').filter(Boolean) : [];

export const WORKER_ENV = { MALLOC_ARENA_MAX: '2' };
