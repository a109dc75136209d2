package org.fhirsnapshot.sync.rest;

import java.util.List;

/** One page of a project's tasks, newest first. */
public record TaskPage(int page, int size, long total, List<TaskView> items) {
}
