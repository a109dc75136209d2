package org.fhirsnapshot.sync.persistence;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import org.fhirsnapshot.sync.TaskType;

/** Stores a {@link TaskType} as its wire value ({@code full-sync}, not {@code FULL_SYNC}). */
@Converter
public class TaskTypeConverter implements AttributeConverter<TaskType, String> {

    @Override
    public String convertToDatabaseColumn(TaskType type) {
        return type == null ? null : type.value();
    }

    @Override
    public TaskType convertToEntityAttribute(String value) {
        return value == null ? null : TaskType.fromDatabase(value);
    }
}
