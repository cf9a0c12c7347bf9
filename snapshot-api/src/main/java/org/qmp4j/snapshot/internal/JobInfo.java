package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.annotation.JsonProperty;

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
}
