package io.github.switchboard.chat;

class LocalRoomHistoryTest extends RoomHistoryContract {

  @Override
  RoomHistory newHistory(int capacity) {
    return new LocalRoomHistory(capacity);
  }
}
