package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemCodec;
import io.ferrite.codecs.sbe.ErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random token sequences, and mutations of valid expressions, through every compile entry point of
 * {@link ExpressionCompiler} (condition, filter, key condition, update, projection), with random
 * ExpressionAttributeNames and ExpressionAttributeValues; what compiles is also evaluated over an item. The only
 * failure allowed is a {@link FerriteException} with a ValidationException code: never another exception type, a
 * StackOverflowError or a hang (each case runs under a time limit).
 * <p>
 * The seed is printed; a failure names it and the exact expression, names and values to replay. The default size
 * suits CI; {@code -Dferrite.fuzz.expressionCases=N} runs more, {@code -Dferrite.fuzz.seed=S} replays a seed.
 */
final class RandomTokenExpressionsGetOnlyValidationErrorsTest
{
    private static final String[] KEYWORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE",
        "and", "or", "not", "between", "in", "set", "remove", "add", "delete"};
    private static final String[] FUNCTIONS = {"attribute_exists", "attribute_not_exists", "attribute_type",
        "begins_with", "contains", "size", "if_not_exists", "list_append", "ATTRIBUTE_EXISTS", "unknown_fn"};
    private static final String[] SYMBOLS = {"(", ")", ",", ".", "[", "]", "=", "<>", "<", "<=", ">", ">=", "+", "-",
        "(", ")", "!", "==", "*", "/", "'", "\"", ";", "{", "}", "`", "\\", "$", "&", "|", "~", "@", "?"};
    private static final String[] NAMES = {"a", "b", "k", "r", "doc", "lst", "x1", "_u", "Z", "size", "value", "name",
        "1a", "a-b", "é", "\u0000", "\ud800", "\udc00", "\ud83d\ude00", "\u2028"};
    private static final String[] PLACEHOLDERS = {"#n", "#m", "#missing", "#", "##", "#n.#m", ":v", ":w", ":s", ":l",
        ":m", ":b", ":ss", ":ns", ":missing", ":", "::", ":v:w", "#n[0]"};
    private static final String[] NUMBERS = {"0", "1", "00", "-1", "1.5", "2147483647", "2147483648",
        "99999999999999999999", "1e3", "0x10", "99999999999999999999999999999999999999999"};
    private static final String[] VALID = {
        "attribute_exists(#n) AND :v = a", "a BETWEEN :v AND :w", "a IN (:v, :w, :s)", "NOT (a < :v OR b > :w)",
        "begins_with(a, :s) AND contains(lst, :v)", "size(a) <= :v", "attribute_type(a, :s)",
        "SET a = :v, b = a + :w REMOVE c ADD d :ns DELETE e :ss", "SET lst = list_append(lst, :l), doc.x = if_not_exists(doc.x, :v)",
        "SET a[1] = :v", "REMOVE lst[0], doc.y", "a, b.c, lst[2], #n", "k = :v AND begins_with(r, :s)",
        "k = :v AND r BETWEEN :v AND :w", "#n = :v", "((a = :v))", "a.b.c.d[0][1] = :v"};

    @Test
    void everyCompileEntryPointRefusesGarbageWithAValidationException() throws Exception
    {
        final long seed = Long.getLong("ferrite.fuzz.seed", System.nanoTime());
        final int cases = Integer.getInteger("ferrite.fuzz.expressionCases", 20_000);
        System.out.println("RandomTokenExpressionsGetOnlyValidationErrorsTest seed=" + seed + " cases=" + cases);
        final SplittableRandom random = new SplittableRandom(seed);
        final ExecutorService worker = Executors.newSingleThreadExecutor(r ->
        {
            // A big stack is not what is tested: the default one is (a deep expression must not overflow it).
            final Thread thread = new Thread(r, "expression-fuzz");
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            final ExpressionCompiler compiler = new ExpressionCompiler(64);
            final byte[] item = ItemCodec.encode(item());
            final byte[] key = ItemCodec.encode(Map.of("k", AttributeValue.s("key")));
            final UnsafeBuffer out = new UnsafeBuffer(new byte[1024 * 1024]);
            final int batch = 500;
            for (int start = 0; start < cases; start += batch)
            {
                final List<Case> generated = new ArrayList<>(batch);
                for (int i = 0; i < batch && start + i < cases; i++)
                {
                    generated.add(generate(random));
                }
                final Future<?> run = worker.submit(() ->
                {
                    for (final Case c : generated)
                    {
                        runOne(compiler, c, item, key, out, seed);
                    }
                    return null;
                });
                try
                {
                    run.get(30, TimeUnit.SECONDS);
                }
                catch (final TimeoutException ex)
                {
                    fail("seed=" + seed + ": a batch of " + generated.size() + " expressions did not finish in 30 s; " +
                        "one of them hangs the parser: " + generated);
                }
                catch (final java.util.concurrent.ExecutionException ex)
                {
                    if (ex.getCause() instanceof AssertionError assertion)
                    {
                        throw assertion;
                    }
                    throw ex;
                }
            }
        }
        finally
        {
            worker.shutdownNow();
        }
    }

    private static void runOne(final ExpressionCompiler compiler, final Case c, final byte[] item, final byte[] key,
        final UnsafeBuffer out, final long seed)
    {
        try
        {
            switch (c.kind)
            {
                case CONDITION -> compiler.condition(c.text, c.names, c.values)
                    .test(new UnsafeBuffer(item), 0, item.length);
                case FILTER -> compiler.filter(c.text, c.names, c.values).test(new UnsafeBuffer(item), 0, item.length);
                case KEY_CONDITION -> compiler.keyCondition(c.text, c.names, c.values);
                case UPDATE -> compiler.update(c.text, c.names, c.values).apply(null, new UnsafeBuffer(key), 0,
                    key.length, new UnsafeBuffer(item), 0, item.length, out, 0);
                default -> compiler.projection(c.text, c.names).project(new UnsafeBuffer(item), 0, item.length, out, 0);
            }
        }
        catch (final FerriteException ex)
        {
            if (ErrorCode.ValidationException != ex.code())
            {
                fail(c.describe(seed) + " threw " + ex.code() + ": " + ex.getMessage(), ex);
            }
        }
        catch (final Throwable ex)
        {
            fail(c.describe(seed) + " threw " + ex, ex);
        }
    }

    private static Map<String, AttributeValue> item()
    {
        final Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("k", AttributeValue.s("key"));
        item.put("a", AttributeValue.n("5"));
        item.put("b", AttributeValue.s("bee"));
        item.put("c", AttributeValue.bool(true));
        item.put("d", AttributeValue.ns(List.of("1", "2")));
        item.put("e", AttributeValue.ss(List.of("x", "y")));
        item.put("lst", AttributeValue.l(List.of(AttributeValue.n("1"), AttributeValue.s("two"),
            AttributeValue.l(List.of(AttributeValue.nul())))));
        item.put("doc", AttributeValue.m(Map.of("x", AttributeValue.n("1"), "y", AttributeValue.m(Map.of(
            "z", AttributeValue.b(new byte[] {1, 2}))))));
        return item;
    }

    private record Case(ExpressionKind kind, String text, Map<String, String> names, Map<String, AttributeValue> values)
    {
        String describe(final long seed)
        {
            return "seed=" + seed + " " + kind + " expression \"" + escape(text) + "\" names=" + names + " values=" +
                values;
        }
    }

    static String escape(final String text)
    {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length(); i++)
        {
            final char ch = text.charAt(i);
            if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\')
            {
                b.append(String.format("\\u%04x", (int)ch));
            }
            else
            {
                b.append(ch);
            }
        }
        return b.toString();
    }

    private static Case generate(final SplittableRandom random)
    {
        final ExpressionKind kind = ExpressionKind.values()[random.nextInt(ExpressionKind.values().length)];
        final String text = switch (random.nextInt(4))
        {
            case 0 -> tokens(random, 1 + random.nextInt(random.nextInt(4) == 0 ? 60 : 12));
            case 1 -> mutate(random, VALID[random.nextInt(VALID.length)]);
            case 2 -> deep(random);
            default -> VALID[random.nextInt(VALID.length)];
        };
        return new Case(kind, text, names(random), values(random));
    }

    private static String tokens(final SplittableRandom random, final int count)
    {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            if (b.length() > 0 && random.nextInt(4) != 0)
            {
                b.append(random.nextInt(8) == 0 ? "\t" : " ");
            }
            b.append(token(random));
        }
        return b.toString();
    }

    private static String token(final SplittableRandom random)
    {
        return switch (random.nextInt(7))
        {
            case 0 -> KEYWORDS[random.nextInt(KEYWORDS.length)];
            case 1 -> FUNCTIONS[random.nextInt(FUNCTIONS.length)];
            case 2, 3 -> SYMBOLS[random.nextInt(SYMBOLS.length)];
            case 4 -> NAMES[random.nextInt(NAMES.length)];
            case 5 -> PLACEHOLDERS[random.nextInt(PLACEHOLDERS.length)];
            default -> NUMBERS[random.nextInt(NUMBERS.length)];
        };
    }

    private static String mutate(final SplittableRandom random, final String valid)
    {
        final StringBuilder b = new StringBuilder(valid);
        final int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++)
        {
            final int at = b.length() == 0 ? 0 : random.nextInt(b.length() + 1);
            switch (random.nextInt(5))
            {
                case 0 -> b.insert(at, token(random));
                case 1 ->
                {
                    if (at < b.length())
                    {
                        b.deleteCharAt(at);
                    }
                }
                case 2 -> b.insert(at, " " + token(random) + " ");
                case 3 -> b.setLength(at);
                default ->
                {
                    if (at < b.length())
                    {
                        b.setCharAt(at, (char)random.nextInt(0x10000));
                    }
                }
            }
        }
        return b.toString();
    }

    private static String deep(final SplittableRandom random)
    {
        final int depth = 1 + random.nextInt(random.nextBoolean() ? 40 : 4000);
        return switch (random.nextInt(6))
        {
            case 0 -> "(".repeat(depth) + "a = :v" + ")".repeat(depth);
            case 1 -> "NOT ".repeat(depth) + "a = :v";
            case 2 -> "size(".repeat(depth) + "a" + ")".repeat(depth) + " = :v";
            case 3 -> "a" + ".b".repeat(depth) + " = :v";
            case 4 -> "a" + "[0]".repeat(depth) + " = :v";
            default -> "SET a = " + "a + ".repeat(depth) + ":v";
        };
    }

    private static Map<String, String> names(final SplittableRandom random)
    {
        if (random.nextInt(5) == 0)
        {
            return null;
        }
        final Map<String, String> names = new LinkedHashMap<>();
        final int count = random.nextInt(4);
        for (int i = 0; i < count; i++)
        {
            final String placeholder = switch (random.nextInt(5))
            {
                case 0 -> "#m";
                case 1 -> "#missing";
                case 2 -> "n";
                case 3 -> "#" + "x".repeat(random.nextInt(300));
                default -> "#n";
            };
            final String name = switch (random.nextInt(6))
            {
                case 0 -> "";
                case 1 -> "x".repeat(70_000);
                case 2 -> NAMES[random.nextInt(NAMES.length)];
                default -> "a";
            };
            names.put(placeholder, name);
        }
        return names;
    }

    private static Map<String, AttributeValue> values(final SplittableRandom random)
    {
        if (random.nextInt(6) == 0)
        {
            return null;
        }
        final Map<String, AttributeValue> values = new LinkedHashMap<>();
        final String[] keys = {":v", ":w", ":s", ":l", ":m", ":b", ":ss", ":ns", "v", ":" + "y".repeat(300)};
        final int count = random.nextInt(6);
        for (int i = 0; i < count; i++)
        {
            values.put(keys[random.nextInt(keys.length)], value(random, 0));
        }
        return values;
    }

    private static AttributeValue value(final SplittableRandom random, final int level)
    {
        return switch (random.nextInt(level > 3 ? 5 : 11))
        {
            case 0 -> AttributeValue.n(NUMBERS[random.nextInt(7)]);
            case 1 -> AttributeValue.s(random.nextBoolean() ? "" : "s" + random.nextInt(3));
            case 2 -> AttributeValue.b(new byte[random.nextInt(3)]);
            case 3 -> AttributeValue.bool(random.nextBoolean());
            case 4 -> AttributeValue.nul();
            case 5 -> AttributeValue.ss(List.of("x", "z"));
            case 6 -> AttributeValue.ns(List.of("1", "3"));
            case 7 -> AttributeValue.bs(List.of(new byte[] {1}));
            case 8 -> AttributeValue.l(List.of(value(random, level + 1), value(random, level + 1)));
            case 9 -> AttributeValue.m(Map.of("x", value(random, level + 1)));
            default -> AttributeValue.n("1");
        };
    }
}
