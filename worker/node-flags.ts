/**
 * How a worker process is started (the embedded stack, the benchmarks and the drills; docker-compose.yml sets
 * the same through NODE_OPTIONS and MALLOC_ARENA_MAX). Measured with `npm run bench` (BENCHMARKS.md, issue 27):
 * - an old generation of at most 192 MiB, V8's own young generation. The smaller young generation used before
 *   (`--max-semi-space-size=2`) made V8 scavenge far more often, on the thread that also runs the local
 *   activities and hands the workflow tasks on: without it a 40-folder batch's folder phase was 11 % shorter and
 *   the worker's CPU per folder 12 % lower (5 interleaved pairs; no flags at all: 16 % and 15 %). No cap at all
 *   lets the heap grow with the work (612 MiB at 1,000 folders × 20,000 firms, 1.51× the 200 × 5,000 row); with
 *   the cap the peak was 326 MiB, 1.13× the 200 × 5,000 row's 289 MiB — within issue 27's bound (1.25×, 400 MiB).
 *   The work itself is chunked (notices and readiness a chunk of firms at a time), so the cap is a GC target the
 *   live heap stays under, not a limit it meets;
 * - two malloc arenas: Temporal's native core is multi-threaded, and glibc's default (8 per core) keeps freed
 *   memory in each.
 * WORKER_NODE_FLAGS in the environment replaces the flags (for measurements; '' for V8's defaults).
 */
export const WORKER_NODE_FLAGS =
  process.env.WORKER_NODE_FLAGS !== undefined
    ? process.env.WORKER_NODE_FLAGS.split(' ').filter(Boolean)
    : ['--max-old-space-size=192'];

export const WORKER_ENV = { MALLOC_ARENA_MAX: '2' };
