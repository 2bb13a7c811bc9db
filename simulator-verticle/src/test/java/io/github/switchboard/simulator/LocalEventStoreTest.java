package io.github.switchboard.simulator;

class LocalEventStoreTest extends EventStoreContract {

  @Override
  EventStore newEmptyStore() {
    return new LocalEventStore();
  }
}
