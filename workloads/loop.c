/* loop: PF-Docker's "Loop" workload (Table 1: an endless print loop, low write load). Every
 * 50 ms it appends "N REALTIME_MS" to a heartbeat log (default /data/heartbeat.log) through
 * one open file and prints "loop N" to stdout; nothing else touches memory.
 *
 *   loop [-q] [LOG]     -q: no stdout line (the compile workload runs it as its heartbeat)
 *
 * Beats are scheduled on absolute CLOCK_MONOTONIC times, so the rate stays at 20 per second
 * instead of drifting below it by the cost of each beat; after a stall longer than a beat
 * (a freeze, a migration) the schedule restarts from now rather than beating in a burst.
 * The logged time is CLOCK_REALTIME, which CRIU does not virtualise, so a freeze shows as a
 * gap between two lines. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#define BEAT_NS (50 * 1000 * 1000L)

/* As PID 1 of a container it gets no default action for SIGTERM: without this, `docker stop`
 * would wait its whole timeout. */
static void on_term(int sig) { (void)sig; _exit(0); }

static long long realtime_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void advance(struct timespec *t, long ns) {
    t->tv_nsec += ns;
    while (t->tv_nsec >= 1000000000L) { t->tv_nsec -= 1000000000L; t->tv_sec++; }
}

static int later(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec : a->tv_nsec > b->tv_nsec;
}

int main(int argc, char **argv) {
    int quiet = argc > 1 && strcmp(argv[1], "-q") == 0;
    const char *path = argc > 1 + quiet ? argv[1 + quiet] : "/data/heartbeat.log";
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    mkdir("/data", 0755);
    FILE *log = fopen(path, "a");
    if (!log) { perror(path); return 1; }
    struct timespec next, now;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (unsigned long n = 1;; n++) {
        fprintf(log, "%lu %lld\n", n, realtime_ms());
        fflush(log);
        if (!quiet) { printf("loop %lu\n", n); fflush(stdout); }
        advance(&next, BEAT_NS);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (later(&now, &next)) next = now;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
}
