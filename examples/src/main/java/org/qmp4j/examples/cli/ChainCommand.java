package org.qmp4j.examples.cli;

import java.io.PrintStream;
import java.util.List;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.snapshot.DiskChain;
import org.qmp4j.snapshot.LiveSnapshots;

/** {@code qmp4j chain}: each disk of a running VM with its backing chain, top (active) image first. */
final class ChainCommand implements Subcommand {

    @Override
    public String name() {
        return "chain";
    }

    @Override
    public String summary() {
        return "show each disk's backing chain, active image first";
    }

    @Override
    public ArgParser parser() {
        ArgParser parser = new ArgParser("qmp4j chain", """
                Shows each disk of a running VM with its backing chain, top (active) image first:
                one line per layer with its node name ("-" when QEMU has none), format and image.""");
        CommonOptions.qmp(parser);
        return CommonOptions.json(parser);
    }

    @Override
    public ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err) {
        QmpOptions options = CommonOptions.qmpOptions(CommonOptions.qmpEndpoint(args)).build();
        boolean json = CommonOptions.json(args);
        List<DiskChain> chains;
        try (QmpClient qmp = QmpClient.connect(options)) {
            chains = LiveSnapshots.of(qmp).chains();
        }
        out.print(json ? CliJson.pretty(ResultJson.chains(chains)) + "\n" : ResultText.chains(chains));
        return ExitCode.OK;
    }
}
