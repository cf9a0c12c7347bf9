package org.qmp4j.examples.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.qmp4j.snapshot.OfflineImages;
import org.qmp4j.snapshot.RevertResult;

/**
 * {@code qmp4j revert}: reverts a STOPPED VM's disk to a snapshot with {@link OfflineImages#revert}
 * ({@code qemu-img}, no QEMU process): a fresh overlay on top of the snapshot image, which is
 * never written to. Prints the image to boot from.
 */
final class RevertCommand implements Subcommand {
    private static final String IMAGE = "--image";
    private static final String TO = "--to";
    private static final String DELETE = "--delete-abandoned";

    @Override
    public String name() {
        return "revert";
    }

    @Override
    public String summary() {
        return "revert a stopped VM's disk to a snapshot (qemu-img)";
    }

    @Override
    public ArgParser parser() {
        ArgParser parser = new ArgParser("qmp4j revert", ExitCode.inText("""
                Reverts a STOPPED VM's disk to a snapshot: creates a fresh qcow2 overlay on top of the
                snapshot image (which is never written to), named <stem>.revert-<yyyyMMdd-HHmmss>.qcow2
                beside it. Boot the VM from the "boot:" image. The images above the snapshot in the old
                chain are abandoned; with --delete-abandoned they are deleted, except those another
                image in the same directories still uses as its backing file. Images a running QEMU
                holds are refused. Exit %d when it failed.""", ExitCode.FAILED));
        parser.requiredOption(IMAGE, "PATH", "the image the VM boots from now (its active overlay, or the base)");
        parser.requiredOption(TO, "SNAPSHOT_IMAGE", "the image to go back to: PATH or one in its backing chain");
        parser.flag(DELETE, "delete the abandoned images");
        return CommonOptions.json(parser);
    }

    @Override
    public ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err) {
        Path image = args.value(IMAGE, Path::of).orElseThrow();
        Path to = args.value(TO, Path::of).orElseThrow();
        boolean delete = args.flag(DELETE);
        boolean json = CommonOptions.json(args);

        RevertResult result = OfflineImages.create().revert(image, to, delete);
        out.print(json ? CliJson.pretty(ResultJson.revert(result)) + "\n" : ResultText.revert(result));
        return ExitCode.OK;
    }
}
