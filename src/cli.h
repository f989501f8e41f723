/* cli.h — admin commands (`botwerk tenant …`, `botwerk apikey …`, `botwerk migrate`). */
#ifndef BOTWERK_CLI_H
#define BOTWERK_CLI_H

/* argv[0] is the command word ("tenant", "apikey", "migrate"). Returns the process exit code. */
int cli_run(int argc, char **argv);
void cli_usage(void);

#endif
