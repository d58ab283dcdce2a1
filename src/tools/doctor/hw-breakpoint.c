/* hw-breakpoint: does a hardware breakpoint set through ptrace fire on this machine?
 * CRIU's compel sets one (debug register DR0, PTRACE_POKEUSER) to catch the parasite's
 * rt_sigreturn and waits for it; on some VMs the kernel accepts the breakpoint but it never
 * fires, and CRIU before 4.2 then waits forever. This does the same on a child of its own
 * and prints one line: "works", "does not fire" or "unsupported: REASON". x86_64 only. */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int reached;

static void __attribute__((noinline)) target(void) {
    reached = 1;
    __asm__ volatile("" ::: "memory");
}

int main(void) {
#if !defined(__x86_64__)
    puts("unsupported: not x86_64");
    return 0;
#else
    pid_t child = fork();
    if (child < 0) { printf("unsupported: fork: %s\n", strerror(errno)); return 0; }
    if (child == 0) {
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        raise(SIGSTOP);
        target();
        _exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) { puts("unsupported: child did not stop"); return 0; }
    unsigned long dr7 = 1; /* L0: local enable of DR0; RW0 = 00 (execute), LEN0 = 00 */
    if (ptrace(PTRACE_POKEUSER, child, offsetof(struct user, u_debugreg[0]), (void *)&target) != 0 ||
        ptrace(PTRACE_POKEUSER, child, offsetof(struct user, u_debugreg[7]), (void *)dr7) != 0) {
        printf("unsupported: PTRACE_POKEUSER u_debugreg: %s\n", strerror(errno));
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        return 0;
    }
    ptrace(PTRACE_CONT, child, NULL, NULL);
    /* Wait up to two seconds for the trap or the exit. */
    for (int i = 0; i < 200; i++) {
        pid_t got = waitpid(child, &status, WNOHANG);
        if (got == child) {
            if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP) { puts("works"); kill(child, SIGKILL); waitpid(child, &status, 0); return 0; }
            if (WIFEXITED(status)) { puts("does not fire"); return 0; }
            if (WIFSTOPPED(status)) { ptrace(PTRACE_CONT, child, NULL, (void *)(long)WSTOPSIG(status)); continue; }
            puts("unsupported: child ended oddly");
            return 0;
        }
        struct timespec t = { 0, 10 * 1000 * 1000 };
        nanosleep(&t, NULL);
    }
    puts("does not fire");
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    return 0;
#endif
}
