package org.fhirsnapshot.config.persistence;

/** An outbox row as the relay reads it. */
public record OutboxMessage(long id, String topic, String key, String payload) {
}
