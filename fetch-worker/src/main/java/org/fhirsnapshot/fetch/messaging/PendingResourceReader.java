package org.fhirsnapshot.fetch.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.fhirsnapshot.contracts.events.PendingResource;

/**
 * Reads a {@code pending-resource} message's bytes. The bytes are read here rather than by a Kafka deserializer so
 * that a malformed message reaches the dead-letter topic byte for byte.
 */
final class PendingResourceReader {

    private final ObjectMapper json;

    PendingResourceReader(ObjectMapper json) {
        this.json = json;
    }

    /** The message; throws {@link MalformedMessageException} saying what is wrong with it. */
    PendingResource read(byte[] value) {
        if (value == null || value.length == 0) {
            throw new MalformedMessageException("the message has no value");
        }
        PendingResource message;
        try {
            message = json.readValue(value, PendingResource.class);
        } catch (IOException e) {
            throw new MalformedMessageException("the value is not a PendingResource JSON object");
        }
        if (message == null) {
            throw new MalformedMessageException("the value is JSON null");
        }
        if (message.schemaVersion() != PendingResource.SCHEMA_VERSION) {
            throw new MalformedMessageException("schema version " + message.schemaVersion()
                    + " is not supported (this worker reads " + PendingResource.SCHEMA_VERSION + ")");
        }
        if (message.instanceId() <= 0) {
            throw new MalformedMessageException("the instance id is missing");
        }
        return message;
    }
}
