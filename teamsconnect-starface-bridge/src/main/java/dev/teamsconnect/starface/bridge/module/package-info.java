/**
 * The only classes of the bridge that touch STARFACE's module API: one function block per entry point, the
 * {@link dev.teamsconnect.starface.bridge.PbxAccess} over the PBX's user state and event service, the listeners that
 * fill the event buffer, and the module's start and stop. They are as thin as they can be; every decision and check
 * is in the plain package ({@link dev.teamsconnect.starface.bridge.BridgeEntryPoints}), which is unit-tested.
 *
 * <p>In the normal build these compile against {@code teamsconnect-starface-api-stubs}, signatures written from
 * public descriptions; {@code -Dstarface.lib=DIR} compiles them against a PBX's own jars instead. Only the latter
 * can show that the signatures are right, and only a PBX that the module runs on that the calls do what the sources
 * say (docs/starface-bridge.md, "What is verified where"). Experimental until then.
 */
package dev.teamsconnect.starface.bridge.module;
