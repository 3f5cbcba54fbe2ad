/* Stand-alone `ritmo darp` for benchmarking without the server's libraries:
 * the same cmd_darp() the ritmo binary runs, linked with ritmo_routing only. */
#include "cli/cmd_darp.h"

int
main(int argc, char **argv)
{
    return cmd_darp(argc, argv);
}
