package org.qmp4j.snapshot.internal;

import static org.qmp4j.core.transport.JsonFields.number;
import static org.qmp4j.core.transport.JsonFields.text;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of {@code query-jobs}.
 *
 * @param id the job id
 * @param type the job type, e.g. {@code commit}
 * @param status the job status, e.g. {@code running}, {@code ready}, {@code concluded}
 * @param currentProgress work done so far (bytes for block jobs)
 * @param totalProgress work to do in all (grows while the guest writes)
 * @param error why the job failed, {@code null} when it did not (set once concluded)
 */
record JobInfo(String id, String type, String status, @JsonProperty("current-progress") long currentProgress,
               @JsonProperty("total-progress") long totalProgress, String error) {
    /** One element of {@code query-jobs}'s reply. */
    static JobInfo from(JsonNode o) {
        return new JobInfo(text(o, "id"), text(o, "type"), text(o, "status"), number(o, "current-progress"),
                number(o, "total-progress"), text(o, "error"));
    }
}
