/**
 * Replicated cells (docs/decisions/0013-cells.md): a three-member Aeron Cluster whose clustered service
 * ({@link io.ferrite.cell.CellService}) applies Ferrite's SBE requests, in log order, to an engine shard on every
 * member; the member process ({@link io.ferrite.cell.CellMember}); a launcher for a local cell
 * ({@link io.ferrite.cell.CellLauncher}, behind {@code ferrite cell}); and the blocking cell client
 * ({@link io.ferrite.cell.CellClient}), which follows elections and retries with the original request id so that
 * a write is applied once.
 */
package io.ferrite.cell;
