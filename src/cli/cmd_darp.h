/* `ritmo darp`: solve one classic dial-a-ride benchmark file and report. */
#ifndef RITMO_CMD_DARP_H
#define RITMO_CMD_DARP_H

/* argv[0] is "darp". Returns the process exit status: 0 solved with every
 * request served, 1 usage or input error, 2 some request left unserved. */
int cmd_darp(int argc, char **argv);

#endif
