package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adding an op kind without handling it breaks the build: the compiler's own sources are compiled
 * here with a dummy op added to {@code Op} (or {@code HloOp}), and every pass that dispatches over
 * op kinds must fail to compile, named in the errors. A pass that quietly defaulted (an
 * {@code instanceof} chain) would compile and fail this test.
 */
class DispatchCompletenessTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final List<String> MODULES = List.of("ir", "lowering", "runtime-cpu");

  @TempDir
  Path dir;

  /** The classes that dispatch over IR op kinds. */
  static final Set<String> IR_PASSES = Set.of("OpRebuild", "OpRules", "IrPrinter", "Shard", "ShardingChecks", "PlanBuilder", "Lower", "GradRules");
  /** The classes that dispatch over StableHLO op kinds. */
  static final Set<String> HLO_PASSES = Set.of("StableHloPrinter", "SpmdEmulation", "SpmdEntry");

  @Test
  void aNewIrOpKindMustBeHandledByEveryPass() throws IOException {
    Set<String> failing = compileWithDummy("ir/src/main/java/dev/switchc/ir/Op.java", "Op", "Value out, SourceLoc loc", "List<Value>");
    assertEquals(IR_PASSES, failing);
  }

  @Test
  void aNewStableHloOpKindMustBeHandledByEveryPass() throws IOException {
    Set<String> failing = compileWithDummy("lowering/src/main/java/dev/switchc/lowering/hlo/HloOp.java", "HloOp", "HloValue result",
        "List<HloValue>");
    assertEquals(HLO_PASSES, failing);
  }

  @Test
  void anOpKindWithoutAVisitorMethodDoesNotCompile() throws IOException {
    Path op = ROOT.resolve("ir/src/main/java/dev/switchc/ir/Op.java");
    String source = Files.readString(op);
    String dummy = "  record Dummy(Value out, SourceLoc loc) implements Op {\n    public List<Value> inputs() {\n      return List.of();\n    }\n  }\n";
    List<Diagnostic<? extends JavaFileObject>> errors = compile(Path.of("ir/src/main/java/dev/switchc/ir/Op.java"), insertBeforeLastBrace(source, dummy));
    assertTrue(errors.stream().anyMatch(e -> e.getMessage(null).contains("Dummy is not abstract and does not override abstract method <R>accept")),
        errors.toString());
  }

  /** The simple names of the top-level classes that fail to compile because they do not handle the dummy op. */
  private Set<String> compileWithDummy(String file, String iface, String components, String listType) throws IOException {
    String source = Files.readString(ROOT.resolve(file));
    Matcher visitor = Pattern.compile("(interface Visitor<R> \\{\\n)").matcher(source);
    assertTrue(visitor.find(), "no Visitor interface in " + file);
    String withMethod = source.substring(0, visitor.end()) + "    R dummy(Dummy op);\n\n" + source.substring(visitor.end());
    String dummy = "  record Dummy(" + components + ") implements " + iface + " {\n"
        + "    public <R> R accept(Visitor<R> v) {\n      return v.dummy(this);\n    }\n\n"
        + "    public " + listType + " " + (iface.equals("Op") ? "inputs" : "operands") + "() {\n      return List.of();\n    }\n  }\n";
    List<Diagnostic<? extends JavaFileObject>> errors = compile(Path.of(file), insertBeforeLastBrace(withMethod, dummy));
    assertFalse(errors.isEmpty(), "the compiler's sources compiled with an unhandled op kind");
    Set<String> failing = new TreeSet<>();
    for (Diagnostic<? extends JavaFileObject> e : errors) {
      assertNotNull(e.getSource(), e.toString());
      String message = e.getMessage(null);
      assertTrue(message.contains("does not override abstract method dummy"), "an unexpected error: " + e);
      String name = Path.of(e.getSource().toUri()).getFileName().toString();
      failing.add(name.substring(0, name.length() - ".java".length()));
    }
    return failing;
  }

  private static String insertBeforeLastBrace(String source, String member) {
    int end = source.lastIndexOf('}');
    return source.substring(0, end) + "\n" + member + source.substring(end);
  }

  /** Compiles the main sources of {@link #MODULES} with {@code replaced} (a path relative to the root) given {@code text}; returns the errors. */
  private List<Diagnostic<? extends JavaFileObject>> compile(Path replaced, String text) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "no Java compiler in this JDK");
    Path src = dir.resolve("src");
    List<Path> files = new ArrayList<>();
    for (String module : MODULES) {
      Path main = ROOT.resolve(module).resolve("src/main/java");
      try (Stream<Path> s = Files.walk(main)) {
        for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
          Path copy = src.resolve(ROOT.relativize(p));
          Files.createDirectories(copy.getParent());
          Files.writeString(copy, ROOT.relativize(p).equals(replaced) ? text : Files.readString(p));
          files.add(copy);
        }
      }
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, null)) {
      List<String> options = List.of("-d", dir.resolve("classes").toString(), "-classpath", System.getProperty("java.class.path"),
          "-implicit:none", "-proc:none", "-Xmaxerrs", "1000");
      javac.getTask(new StringWriter(), fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
    }
    return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
  }
}
