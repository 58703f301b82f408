/**
 * An application on the module path that requires only the api: the transports are resolved by
 * service binding (their {@code provides} clauses), not by {@code requires}.
 */
module dev.switchboard.jpmscheck {
  requires dev.switchboard;
  requires jdk.httpserver;
}
