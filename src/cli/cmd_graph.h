/* `ritmo graph`: build a road graph from OpenStreetMap, and query it. */
#ifndef RITMO_CMD_GRAPH_H
#define RITMO_CMD_GRAPH_H

/* argv[0] is "graph". Subcommands:
 *   build --osm FILE.osm[.pbf] [--out FILE.graph]
 *   route --graph FILE --from LAT,LON --to LAT,LON [--snap-limit M] [--geojson]
 *   info  --graph FILE
 * Returns the process exit status: 0 done, 1 input or routing error,
 * 2 usage error. */
int cmd_graph(int argc, char **argv);

#endif
