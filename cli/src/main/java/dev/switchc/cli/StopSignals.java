package dev.switchc.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop a training run between two steps, for as long as
 * it is open; the handlers before it come back on {@link #close}.
 *
 * <p>Why a handler and not a shutdown hook: in a hook the JVM is already exiting, other hooks run
 * at the same time (TempFiles' deletes every temporary being written), and nothing new can be
 * written safely, so a hook could only leave the last periodic checkpoint. With the handler the run
 * finishes the step in progress, writes a checkpoint of it and its outputs the ordinary way, and
 * exits with 128 + the signal's number. A second signal exits at once through the JVM's ordinary
 * shutdown (as the default handler does), which deletes any temporary and leaves the last complete
 * checkpoint as it was.
 *
 * <p>{@code sun.misc.Signal} is the JDK's supported-but-unofficial API for this (module
 * jdk.unsupported); javac warns about it. A signal ignored when the JVM started (a background job
 * of a non-interactive shell) stays ignored: the JVM does not install handlers for those.
 */
final class StopSignals implements AutoCloseable, BooleanSupplier {
  private final AtomicBoolean requested = new AtomicBoolean();
  private volatile int signal;
  private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

  private StopSignals() {}

  static StopSignals install() {
    StopSignals s = new StopSignals();
    for (String name : new String[] {"INT", "TERM"}) {
      Signal sig = new Signal(name);
      try {
        s.previous.put(sig, Signal.handle(sig, s::received));
      } catch (IllegalArgumentException e) {
        // the VM or OS keeps this signal: it keeps its default meaning
      }
    }
    return s;
  }

  private void received(Signal s) {
    if (requested.get()) Runtime.getRuntime().exit(128 + s.getNumber());
    signal = s.getNumber();
    requested.set(true);
  }

  /** Whether a signal asked the run to stop. */
  @Override
  public boolean getAsBoolean() {
    return requested.get();
  }

  /** The exit status for a stopped run: 128 + the signal's number (130 for Ctrl-C). */
  int status() {
    return 128 + (signal == 0 ? 2 : signal);
  }

  @Override
  public void close() {
    previous.forEach(Signal::handle);
  }
}
