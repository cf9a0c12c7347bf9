package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Optional;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.snapshot.LiveSnapshots;
import org.qmp4j.snapshot.RecoveryReport;

/**
 * {@code qmp4j recover}: makes a VM whole after a snapshot or merge was cut short
 * ({@link LiveSnapshots#recover}): thaws, resumes, rolls back or completes what the VM's journal
 * says is unfinished. {@link ExitCode#OK} when the VM is whole; {@link ExitCode#FAILED_NOT_UNDONE}
 * when something is left (listed on stderr).
 */
final class RecoverCommand implements Subcommand {
    private static final String QGA = "--qga";
    private static final String DELETE_UNRECORDED = "--delete-unrecorded";

    @Override
    public String name() {
        return "recover";
    }

    @Override
    public String summary() {
        return "finish or undo a snapshot or merge that was cut short (thaw, resume, clean up)";
    }

    @Override
    public ArgParser parser() {
        ArgParser parser = new ArgParser("qmp4j recover", ExitCode.inText("""
                Reads the VM's journal and makes whole what a snapshot or merge cut short left: thaws
                the guest it froze (with --qga), cancels its memory save and resumes the VM it paused,
                then keeps a snapshot whose transaction had committed or removes the nodes and files
                it created (never another's), and finishes a merge. Nodes named q4j-* that no record
                names and no disk uses are listed; --delete-unrecorded deletes them.
                Prints one line per action. Exit %d when something could not be made whole
                (stderr lists it).""", ExitCode.FAILED_NOT_UNDONE));
        CommonOptions.qmp(parser);
        parser.option(QGA, "PATH", "the guest agent socket, to thaw a guest left frozen");
        parser.flag(DELETE_UNRECORDED, "also delete unused q4j-* nodes that are on no record");
        CommonOptions.stateDir(parser);
        return CommonOptions.json(parser);
    }

    @Override
    public ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err) {
        Endpoint qmpEndpoint = CommonOptions.qmpEndpoint(args);
        Optional<Endpoint> agentEndpoint = args.value(QGA, CommonOptions::parseEndpoint);
        boolean json = CommonOptions.json(args);
        RecoveryReport report;
        try (QmpClient qmp = QmpClient.connect(CommonOptions.qmpOptions(qmpEndpoint).build());
             GuestAgentClient agent = agentEndpoint.map(e -> CommonOptions.agent(e, qmp, false)).orElse(null)) {
            report = CommonOptions.snapshots(args, qmp, agent).recover(args.flag(DELETE_UNRECORDED));
        }
        if (json) {
            ObjectNode node = JsonTrees.object();
            node.put("clean", report.clean());
            node.set("actions", JsonTrees.toTree(report.actions()));
            node.set("unrecordedNodes", JsonTrees.toTree(report.unrecordedNodes()));
            node.set("problems", JsonTrees.toTree(report.problems()));
            out.print(CliJson.pretty(node) + "\n");
        } else {
            report.actions().forEach(out::println);
            report.unrecordedNodes().forEach(n -> out.println("unrecorded node (not ours on record, unused): " + n));
        }
        report.problems().forEach(p -> err.println("qmp4j: NOT RECOVERED: " + p));
        return report.clean() ? ExitCode.OK : ExitCode.FAILED_NOT_UNDONE;
    }
}
