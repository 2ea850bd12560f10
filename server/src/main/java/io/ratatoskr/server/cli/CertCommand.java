package io.ratatoskr.server.cli;

import io.ratatoskr.server.tls.DevCertificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ratatoskr cert dev}: a development CA and server certificate for every TLS listener. Exit
 * codes: 0 written, 1 openssl missing or failed, 2 usage.
 */
@Command(name = "cert", mixinStandardHelpOptions = true, description = "Certificates for the TLS listeners.",
        subcommands = {CertCommand.Dev.class})
public final class CertCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: dev");
    }

    @Command(name = "dev", mixinStandardHelpOptions = true,
            description = {"Write a self-signed development CA and a server certificate signed by it (PEM, "
                    + "EC P-256) for localhost, 127.0.0.1, ::1 and the given --host names. Runs openssl. "
                    + "An existing CA in the directory is reused. Not for production."})
    static final class Dev implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", defaultValue = "certs", description = "Directory to write into (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--host", description = "Another DNS name or IP address the certificate is valid for "
                + "(repeatable).")
        List<String> hosts = new ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                DevCertificates.Files f = DevCertificates.create(dir, "localhost", hosts);
                out.println("CA certificate (trust it in clients): " + f.caCert());
                out.println("server certificate: " + f.serverCert());
                out.println("server key:         " + f.serverKey());
                out.println();
                out.println("In ratatoskr.yaml:");
                out.println("  mqtt.tls.cert: " + f.serverCert().toAbsolutePath());
                out.println("  mqtt.tls.key: " + f.serverKey().toAbsolutePath());
                out.println("  http.tls.cert: " + f.serverCert().toAbsolutePath());
                out.println("  http.tls.key: " + f.serverKey().toAbsolutePath());
                out.println("  grpc.tls.cert: " + f.serverCert().toAbsolutePath());
                out.println("  grpc.tls.key: " + f.serverKey().toAbsolutePath());
                out.flush();
                return 0;
            } catch (IOException e) {
                spec.commandLine().getErr().println("ratatoskr cert dev: " + e.getMessage());
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }
}
