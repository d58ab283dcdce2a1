/* load: a container with a known CPU and memory demand, for the scheduler and its tests.
 *
 *   CPU_MILLIS   CPU demand in millicores (default 200); above 1000 it runs ceil(n/1000) threads
 *   MEM_MIB      resident memory, touched once at start, then read again slowly (all of it every
 *                30 s) so it stays resident without being dirtied (default 64)
 *   DIRTY_MBPS   rewrite rate of that memory, in MB/s of pages made dirty (default 0)
 *   PROFILE      demand over time, "SECONDS:MILLIS,..." (e.g. "0:200,60:800,120:100"): from each
 *                SECONDS of elapsed time on, the demand is MILLIS; before the first step it is
 *                CPU_MILLIS. The thread count is set by the largest demand.
 *
 * Each worker thread duty-cycles in slices of 100 ms: it spins until it has had its share of the
 * demand in thread CPU time or the slice ends, then sleeps until the slice ends. A throttled or
 * starved thread therefore gets less than it wants, and the shortfall shows in the log.
 *
 * Elapsed time is the program's own: the sum of CLOCK_MONOTONIC differences between its ticks
 * (a negative one, which only another kernel could give, counts as nothing), so a CRIU restore
 * carries on the same count. CRIU 4 restores a task into a new time namespace whose offsets
 * hide most of the frozen time from CLOCK_MONOTONIC (seen here: -2.09 s after a 3.2 s freeze);
 * CLOCK_REALTIME is not virtualised, so when the realtime difference of a tick exceeds the
 * monotonic one by more than STALL_NS, the realtime one counts: a migration's frozen time is
 * elapsed time, for the demand schedule and in the log.
 *
 * At every whole second of elapsed time it appends "t=SECONDS want=MILLIS got=MILLIS" to
 * /data/load.log (its only open file): want is the demand during the second that ended, got the
 * CPU the whole process received since the previous line (CLOCK_PROCESS_CPUTIME_ID), per second.
 * After a stall (a freeze, a migration) the next line comes at once and covers the whole stall,
 * and lines go on from the next whole second: t jumps by the stall's length, never repeats.
 * CRIU restarts a restored process's CPU clock, so a line whose CPU difference is negative
 * counts the CPU since the restore only. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define SLICE_NS 100000000LL  /* duty-cycle slice of a worker */
#define TICK_NS 50000000LL    /* main loop: elapsed time, demand, memory, log */
#define SECOND_NS 1000000000LL
#define RETOUCH_S 30          /* every page is read again once per this many seconds */
#define STALL_NS 500000000LL  /* a tick whose realtime difference exceeds the monotonic one by this much was frozen */
#define DAY_NS (86400LL * SECOND_NS)
#define MAX_STEPS 64
#define MAX_THREADS 64

struct step { long long at_s; long millis; };
static struct step steps[MAX_STEPS];
static int nsteps;
static long base_millis;
static int nthreads;
/* CPU time per slice each worker should get now, in ns; written by the main thread only */
static long long slice_budget_ns;

static void on_term(int sig) { (void)sig; _exit(0); }

static long long clock_ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (long long)t.tv_sec * SECOND_NS + t.tv_nsec;
}

static void sleep_until(long long mono_ns) {
    struct timespec t = { .tv_sec = mono_ns / SECOND_NS, .tv_nsec = mono_ns % SECOND_NS };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) != 0) {}
}

static long env_long(const char *name, long def) {
    const char *v = getenv(name);
    if (!v || !*v) return def;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 0) { fprintf(stderr, "load: %s=%s is not a number >= 0\n", name, v); exit(2); }
    return n;
}

/* Parses PROFILE into steps sorted by time; exits with a message on a malformed one. */
static void parse_profile(const char *spec) {
    const char *p = spec;
    while (p && *p) {
        char *end;
        long long at = strtoll(p, &end, 10);
        if (end == p || *end != ':' || at < 0) goto bad;
        p = end + 1;
        long millis = strtol(p, &end, 10);
        if (end == p || millis < 0 || (*end && *end != ',')) goto bad;
        if (nsteps == MAX_STEPS || (nsteps > 0 && at <= steps[nsteps - 1].at_s)) goto bad;
        steps[nsteps++] = (struct step){ at, millis };
        p = *end ? end + 1 : end;
    }
    return;
bad:
    fprintf(stderr, "load: PROFILE=%s: expected SECONDS:MILLIS,... with rising SECONDS (at most %d steps)\n", spec, MAX_STEPS);
    exit(2);
}

/* The demand at `elapsed_s` seconds, in millicores. */
static long demand_at(long long elapsed_s) {
    long want = base_millis;
    for (int i = 0; i < nsteps && steps[i].at_s <= elapsed_s; i++) want = steps[i].millis;
    return want;
}

static void set_demand(long millis) {
    long long per_thread = millis * SLICE_NS / 1000 / nthreads;
    __atomic_store_n(&slice_budget_ns, per_thread, __ATOMIC_RELAXED);
}

static void *worker(void *arg) {
    (void)arg;
    volatile uint64_t x = 88172645463325252ull;
    long long slice_end = clock_ns(CLOCK_MONOTONIC);
    for (;;) {
        long long now = clock_ns(CLOCK_MONOTONIC);
        /* behind by more than a slice (a freeze): restart the slices from now, no burst */
        slice_end = now > slice_end + SLICE_NS ? now + SLICE_NS : slice_end + SLICE_NS;
        long long budget = __atomic_load_n(&slice_budget_ns, __ATOMIC_RELAXED);
        long long cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        while (budget > 0) {
            for (int i = 0; i < 2000; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; }
            if (clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0 >= budget || clock_ns(CLOCK_MONOTONIC) >= slice_end) break;
        }
        sleep_until(slice_end);
    }
    return NULL;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static inline uint64_t next_rand(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

int main(void) {
    base_millis = env_long("CPU_MILLIS", 200);
    long mib = env_long("MEM_MIB", 64);
    double mbps = getenv("DIRTY_MBPS") && *getenv("DIRTY_MBPS") ? strtod(getenv("DIRTY_MBPS"), NULL) : 0;
    if (mbps < 0) mbps = 0;
    parse_profile(getenv("PROFILE"));
    long peak = base_millis;
    for (int i = 0; i < nsteps; i++) if (steps[i].millis > peak) peak = steps[i].millis;
    nthreads = peak > 1000 ? (int)((peak + 999) / 1000) : 1;
    if (nthreads > MAX_THREADS) { fprintf(stderr, "load: a demand of %ld millicores needs more than %d threads\n", peak, MAX_THREADS); return 2; }

    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    size_t pages = (size_t)mib * 1024 * 1024 / PAGE;
    volatile uint64_t *mem = NULL;
    if (pages > 0) {
        void *m = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) { fprintf(stderr, "load: cannot allocate %ld MiB\n", mib); return 1; }
        mem = m;
        for (size_t i = 0; i < pages; i++) mem[i * (PAGE / 8)] = next_rand();
    }
    mkdir("/data", 0755);
    FILE *log = fopen("/data/load.log", "a");
    if (!log) { perror("load: /data/load.log"); return 1; }
    fprintf(stderr, "load: %ld millicores (%d thread%s, %d profile steps), %ld MiB resident, dirtying %.1f MB/s\n",
            base_millis, nthreads, nthreads > 1 ? "s" : "", nsteps, mib, mbps);

    set_demand(demand_at(0));
    for (int i = 0; i < nthreads; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, NULL) != 0) { fprintf(stderr, "load: cannot start thread %d\n", i); return 1; }
    }

    long long elapsed = 0, last_mono = clock_ns(CLOCK_MONOTONIC), last_real = clock_ns(CLOCK_REALTIME), tick = last_mono;
    long long next_line_s = 1, line_elapsed = 0, line_cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    double dirty_debt = 0, touch_debt = 0;
    size_t touch_at = 0;
    for (;;) {
        tick += TICK_NS;
        long long now = clock_ns(CLOCK_MONOTONIC);
        if (now > tick) tick = now;
        sleep_until(tick);
        now = clock_ns(CLOCK_MONOTONIC);
        long long real = clock_ns(CLOCK_REALTIME);
        long long step = now > last_mono ? now - last_mono : 0;
        long long real_step = real - last_real;
        if (real_step > step + STALL_NS && real_step < DAY_NS) step = real_step;
        elapsed += step;
        last_mono = now;
        last_real = real;
        set_demand(demand_at(elapsed / SECOND_NS));

        if (pages > 0) {
            for (dirty_debt += mbps * 1e6 * TICK_NS / SECOND_NS / PAGE; dirty_debt >= 1; dirty_debt -= 1) {
                mem[(next_rand() % pages) * (PAGE / 8)] = next_rand();
            }
            uint64_t sink = 0;
            for (touch_debt += (double)pages * TICK_NS / SECOND_NS / RETOUCH_S; touch_debt >= 1; touch_debt -= 1) {
                sink += mem[touch_at * (PAGE / 8)];
                touch_at = (touch_at + 1) % pages;
            }
            (void)sink;
        }

        if (elapsed < next_line_s * SECOND_NS) continue;
        long long cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        long long used = cpu >= line_cpu ? cpu - line_cpu : cpu;
        long long span = elapsed - line_elapsed;
        long got = span > 0 ? (long)(used * 1000 / span) : 0;
        long long t = elapsed / SECOND_NS;
        fprintf(log, "t=%lld want=%ld got=%ld\n", t, demand_at(t - 1), got);
        fflush(log);
        line_cpu = cpu;
        line_elapsed = elapsed;
        next_line_s = t + 1;
    }
}
