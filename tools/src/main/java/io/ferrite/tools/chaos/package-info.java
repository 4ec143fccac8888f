/**
 * Fault injection with a check. {@link io.ferrite.tools.chaos.EmbeddedChaos}: kill an embedded writer at random
 * moments, recover, and count what was lost or invented. {@link io.ferrite.tools.chaos.ChaosDriver}: the game day
 * against a {@link io.ferrite.tools.chaos.ChaosTarget} (a node today, a replicated cell later): load, SIGKILL and
 * restart members, then judge the recorded history ({@link io.ferrite.tools.chaos.history}).
 */
package io.ferrite.tools.chaos;
