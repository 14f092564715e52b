/**
 * The kernel both emulators are built on: {@link dev.teamsconnect.testkit.emulator.EmulatorServer} (the HTTP(S)
 * server on 127.0.0.1), {@link dev.teamsconnect.testkit.emulator.RouteTable} (method and path template to a handler,
 * and the key format of the fault hooks), {@link dev.teamsconnect.testkit.emulator.RequestLog} (counts per endpoint
 * and per path, unhandled requests) and {@link dev.teamsconnect.testkit.emulator.ScriptedFaults} (the faults a test
 * scripted, by key). Each emulator keeps one dispatcher that matches the route, records the request and applies what
 * every request goes through (faults, latency, authentication) before the handler. docs/testkit.md says how to add
 * an endpoint.
 */
package dev.teamsconnect.testkit.emulator;
