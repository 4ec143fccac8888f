/**
 * Judging a recorded history of register operations: the linearizability checker, and the lost / duplicated /
 * availability accounting that the chaos driver prints.
 */
package io.ferrite.tools.chaos.history;
