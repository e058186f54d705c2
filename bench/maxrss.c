/* maxrss: runs a command and reports its peak resident set size (figure 6).
 *
 *   maxrss OUTFILE COMMAND [ARGS...]
 *
 * Writes "KB" (the child's ru_maxrss from wait4, the kernel's VmHWM at exit) to
 * OUTFILE and exits with the command's status. The same figure as
 * /usr/bin/time -f %M, without needing the time package.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: maxrss OUTFILE COMMAND [ARGS...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) { perror("maxrss: fork"); return 2; }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("maxrss: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) { perror("maxrss: wait4"); return 2; }
    FILE *out = fopen(argv[1], "w");
    if (!out) { perror(argv[1]); return 2; }
    fprintf(out, "%ld\n", ru.ru_maxrss);
    fclose(out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
