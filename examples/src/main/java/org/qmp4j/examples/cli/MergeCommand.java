package org.qmp4j.examples.cli;

import java.io.PrintStream;
import java.time.Duration;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.snapshot.LiveSnapshots;
import org.qmp4j.snapshot.MergeRequest;
import org.qmp4j.snapshot.MergeResult;

/**
 * {@code qmp4j merge}: merges a disk's active overlay back into its backing image on a running
 * VM ({@link LiveSnapshots#merge}, an active block-commit), showing progress on stderr. A failed
 * or timed-out merge is {@link ExitCode#FAILED}: the job is cancelled and every file kept.
 */
final class MergeCommand implements Subcommand {
    private static final String DISK = "--disk";
    private static final String DELETE = "--delete";
    /** The library's default, read rather than repeated. */
    private static final Duration DEFAULT_TIMEOUT = MergeRequest.builder("default").build().timeout();

    @Override
    public String name() {
        return "merge";
    }

    @Override
    public String summary() {
        return "merge a disk's active overlay into its backing image (delete a snapshot)";
    }

    @Override
    public ArgParser parser() {
        ArgParser parser = new ArgParser("qmp4j merge", ExitCode.inText("""
                Merges a disk's active overlay into the image below it while the VM runs (active
                block-commit), then removes the overlay from the VM: the snapshot that image held is
                gone. Progress goes to stderr as "merging DISK: N% (STATUS)". The overlay file is kept
                unless --delete is given. Exit %d when the merge failed or timed out: the job is
                cancelled and every file is kept.""", ExitCode.FAILED));
        CommonOptions.qmp(parser);
        parser.requiredOption(DISK, "NODE|DEVICE", "the disk: device name, qdev id or node name");
        parser.flag(DELETE, "delete the merged overlay file afterwards");
        CommonOptions.timeout(parser, "cancel the merge if it takes longer (default "
                + Durations.format(DEFAULT_TIMEOUT) + ")");
        CommonOptions.stateDir(parser);
        return CommonOptions.json(parser);
    }

    @Override
    public ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err) {
        QmpOptions options = CommonOptions.qmpOptions(CommonOptions.qmpEndpoint(args)).build();
        String disk = args.value(DISK).orElseThrow();
        if (disk.isBlank()) {
            throw new UsageException(DISK + " needs a disk name");
        }
        // A console means stdin and stdout are a terminal: then stderr most likely is too.
        MergeProgressPrinter progress = new MergeProgressPrinter(err, disk, System.console() != null);
        MergeRequest request = MergeRequest.builder(disk).deleteOverlay(args.flag(DELETE))
                .timeout(CommonOptions.timeout(args).orElse(DEFAULT_TIMEOUT)).progress(progress).build();
        boolean json = CommonOptions.json(args);

        MergeResult result;
        try (QmpClient qmp = QmpClient.connect(options);
             StopOnSignal stop = StopOnSignal.guard(null, err, "merge")) {
            result = CommonOptions.snapshots(args, qmp, null).merge(request);
        } finally {
            progress.finish();
        }
        out.print(json ? CliJson.pretty(ResultJson.merge(result)) + "\n" : ResultText.merge(result));
        return ExitCode.OK;
    }
}
