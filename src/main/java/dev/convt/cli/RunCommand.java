package dev.convt.cli;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import dev.convt.internal.Shapes;
import dev.convt.npy.Npy;
import dev.convt.reference.DirectReference;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * {@code convt run}: one transposed convolution on {@code .npy} files, through
 * {@link ConvTransposeLayer} or, with {@code --reference}, through {@link DirectReference}.
 * Channels and kernel size come from the weights' shape; the input's rank picks 1-D, 2-D or 3-D.
 */
final class RunCommand extends Command {

    private static final String USAGE = """
            Usage: convt run --x X.npy --w W.npy [--b B.npy] --out Y.npy [options]

            Runs one transposed convolution (PyTorch ConvTranspose1d/2d/3d, ONNX ConvTranspose) and
            writes its output as float32. Arrays are NumPy .npy files of float32 or float64.

            Arrays:
              --x X.npy             input, (N, Cin, H, W); (N, Cin, W) for 1-D; (N, Cin, D, H, W) for 3-D
              --w W.npy             weights, [Cin, Cout/groups, kH, kW]; [Cin, Cout/groups, k] for 1-D;
                                    [Cin, Cout/groups, kD, kH, kW] for 3-D
              --b B.npy             bias, [Cout] (default: no bias)
              --out Y.npy           output; replaced only once it is complete

            Geometry (one value for every axis, or H,W; D,H,W for 3-D; 1-D takes one value):
              --stride S            default 1
              --padding P           PyTorch padding, cut from both ends of the output; default 0
              --output-padding OP   extra elements at the end of each axis; default 0
              --dilation D          spacing of the kernel taps; default 1
              --groups G            default 1; Cout = G * (second dimension of w)
              --pads HB,WB,HE,WE    ONNX pads, begins then ends (1-D: B,E; 3-D: DB,HB,WB,DE,HE,WE);
                                    replaces --padding
              --auto-pad MODE       ONNX auto_pad: NOTSET, SAME_UPPER, SAME_LOWER or VALID
              --output-shape H,W    ONNX output_shape (1-D: W; 3-D: D,H,W); the padding follows from it
              (3-D runs on the scalar path for now: correct, not fast)

            Computation:
              --activation A        applied after the bias: relu, leaky-relu[:SLOPE] (slope 0.01
                                    by default), clamp:MIN,MAX, sigmoid or tanh; default none
              --threads T           threads of the fast path; default: one per processor
              --reference           compute with the scalar reference instead of the fast path
              -h, --help            show this help

            Example:
              convt run --x x.npy --w w.npy --b b.npy --stride 2 --padding 1 --activation relu --out y.npy
            """;

    private static final Set<String> VALUED = Set.of("--x", "--w", "--b", "--out", "--stride", "--padding",
            "--output-padding", "--dilation", "--groups", "--pads", "--auto-pad", "--output-shape", "--activation",
            "--threads");

    RunCommand() {
        super(USAGE, VALUED, Set.of("--reference"));
    }

    @Override
    void execute(Options options, PrintStream out) {
        String xName = options.required("--x", "the input .npy");
        String wName = options.required("--w", "the weights .npy");
        OutputFile output = OutputFile.of("--out", options.required("--out", "the output .npy to write"));
        boolean reference = options.has("--reference");
        if (reference && options.has("--threads")) {
            throw new CliException("--threads applies to the fast path; --reference runs on one thread");
        }
        int threads = options.integer("--threads", Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new CliException("--threads " + threads + " must be at least 1");
        }
        Epilogue epilogue = activation(options.value("--activation"));

        // Shared: worker threads of the fast path read the input and write the output.
        try (Arena arena = Arena.ofShared()) {
            Tensor x = read(arena, "--x", xName);
            Tensor w = read(arena, "--w", wName);
            Tensor b = options.has("--b") ? read(arena, "--b", options.value("--b")) : null;
            ConvTransposeGeometry geometry = spec(options, x, w, b != null).geometry(x.shape());
            Tensor y = reference ? DirectReference.forward(geometry, x, w, b, epilogue, arena)
                    : forward(geometry, x, w, b, epilogue, threads, arena);
            output.write(y);
            out.println("wrote " + output + ": " + Shapes.format(y.shape()) + " float32"
                    + (reference ? " (scalar reference)" : ""));
        }
    }

    private static Tensor forward(ConvTransposeGeometry geometry, Tensor x, Tensor w, Tensor b, Epilogue epilogue,
            int threads, Arena arena) {
        ConvTransposeLayer.Builder builder = ConvTransposeLayer.builder(geometry.spec()).weights(w).epilogue(epilogue);
        if (b != null) {
            builder.bias(b);
        }
        try (ConvTransposeLayer layer = builder.build()) {
            Tensor y = Tensor.allocate(arena, geometry.outputShape());
            layer.forward(x, y, threads);
            return y;
        }
    }

    private static Tensor read(Arena arena, String option, String name) {
        Path path = FileOption.input(option, name);
        try {
            return Npy.readTensor(path, arena);
        } catch (IOException e) {
            throw new CliException(option + " " + Main.ioMessage(e));
        }
    }

    /** The spec the weights' shape and the geometry options describe. */
    private static ConvTransposeSpec spec(Options options, Tensor x, Tensor w, boolean bias) {
        int rank = x.rank();
        if (rank < 3 || rank > 5) {
            throw new CliException("--x has shape " + Shapes.format(x.shape())
                    + "; expected (N, C, D, H, W) for 3-D, (N, C, H, W) for 2-D or (N, C, W) for 1-D");
        }
        String layout = switch (rank) {
            case 3 -> "[Cin, Cout/groups, k]";
            case 4 -> "[Cin, Cout/groups, kH, kW]";
            default -> "[Cin, Cout/groups, kD, kH, kW]";
        };
        if (w.rank() != rank) {
            throw new CliException("--w has shape " + Shapes.format(w.shape()) + ", but a " + (rank - 2) + "-D"
                    + " input " + Shapes.format(x.shape()) + " needs weights " + layout);
        }
        if (w.dim(0) != x.dim(1)) {
            throw new CliException("shape mismatch: x " + Shapes.format(x.shape()) + " has " + x.dim(1) + " channels, w "
                    + Shapes.format(w.shape()) + " has " + w.dim(0) + " input channels (weights are " + layout + ")");
        }
        int groups = options.integer("--groups", 1);
        // Checked here, not left to the spec: the output channels are derived from it, and the
        // spec would report those instead of the option.
        if (groups < 1) {
            throw new CliException("--groups " + groups + " must be at least 1");
        }
        int inChannels = dimension(w, 0);
        long outChannels = (long) dimension(w, 1) * groups;
        if (outChannels > Integer.MAX_VALUE) {
            throw new CliException("output channels " + outChannels + " (groups " + groups + " x " + w.dim(1)
                    + ") exceed " + Integer.MAX_VALUE);
        }
        ConvTransposeSpec.Builder b = switch (rank) {
            case 3 -> ConvTransposeSpec.builder1d(inChannels, (int) outChannels, dimension(w, 2));
            case 4 -> ConvTransposeSpec.builder(inChannels, (int) outChannels, dimension(w, 2), dimension(w, 3));
            default -> ConvTransposeSpec.builder3d(inChannels, (int) outChannels, dimension(w, 2), dimension(w, 3),
                    dimension(w, 4));
        };
        b.groups(groups).bias(bias);
        options.ifGiven("--stride", b::stride);
        options.ifGiven("--padding", b::padding);
        options.ifGiven("--output-padding", b::outputPadding);
        options.ifGiven("--dilation", b::dilation);
        if (options.has("--pads") && options.has("--padding")) {
            throw new CliException("--pads and --padding both give the padding; use one");
        }
        options.ifGiven("--pads", b::pads);
        options.ifGiven("--output-shape", b::outputShape);
        if (options.has("--auto-pad")) {
            b.autoPad(autoPad(options.value("--auto-pad")));
        }
        return b.build();
    }

    private static int dimension(Tensor w, int d) {
        if (w.dim(d) > Integer.MAX_VALUE) {
            throw new CliException("--w has shape " + Shapes.format(w.shape()) + ": dimension " + d + " is too large");
        }
        return (int) w.dim(d);
    }

    private static ConvTransposeSpec.AutoPad autoPad(String text) {
        try {
            return ConvTransposeSpec.AutoPad.valueOf(text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new CliException("--auto-pad: unknown mode '" + text + "' (expected one of "
                    + Arrays.toString(ConvTransposeSpec.AutoPad.values()) + ")");
        }
    }

    /** Parses {@code relu}, {@code leaky-relu[:SLOPE]}, {@code clamp:MIN,MAX}, {@code sigmoid}, {@code tanh}. */
    static Epilogue activation(String text) {
        if (text == null) {
            return Epilogue.NONE;
        }
        int colon = text.indexOf(':');
        String name = (colon < 0 ? text : text.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
        String argument = colon < 0 ? null : text.substring(colon + 1);
        Epilogue epilogue = switch (name) {
            case "none" -> Epilogue.NONE;
            case "relu" -> Epilogue.relu();
            case "sigmoid" -> Epilogue.sigmoid();
            case "tanh" -> Epilogue.tanh();
            case "leaky-relu" -> Epilogue.leakyRelu(argument == null ? 0.01f : Options.parseFloat("--activation", argument));
            case "clamp" -> clamp(argument);
            default -> throw new CliException("--activation: unknown activation '" + text
                    + "' (expected relu, leaky-relu:SLOPE, clamp:MIN,MAX, sigmoid or tanh)");
        };
        boolean takesArgument = name.equals("leaky-relu") || name.equals("clamp");
        if (argument != null && !takesArgument) {
            throw new CliException("--activation: " + name + " takes no argument, got '" + text + "'");
        }
        return epilogue;
    }

    private static Epilogue clamp(String bounds) {
        String[] parts = bounds == null ? new String[0] : bounds.split(",", -1);
        if (parts.length != 2) {
            throw new CliException("--activation: clamp needs bounds, as clamp:MIN,MAX (e.g. clamp:0,6)");
        }
        return Epilogue.clamp(Options.parseFloat("--activation", parts[0]), Options.parseFloat("--activation", parts[1]));
    }
}
