package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.sbe.ErrorCode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random condition, update and projection expressions over random items, evaluated by the engine (over item
 * bytes) and by a small reference interpreter written here over plain Java values (BigDecimal, String,
 * byte[], List, Map, Set); results and errors must agree in every case.
 * <p>
 * The reference is deliberately naive: values are plain objects, numbers are BigDecimal with exact
 * arithmetic, and the rules are transcribed from DynamoDB's documentation one by one.
 */
class RandomExpressionsMatchReferenceTest
{
    private static final long SEED = 0x5EED_F3E5L;
    private static final int CONDITION_CASES = 6000;
    private static final int UPDATE_CASES = 4000;
    private static final String[] ATTRIBUTES = {"a", "b", "c", "doc", "lst"};
    /** Attributes no expression names, interleaved with ATTRIBUTES: items with them are big enough for a name index. */
    private static final String[] FILLERS = {"a1", "b1", "c1", "d", "doc1", "lst1", "m", "pk1", "z"};
    private static final String[] TYPE_NAMES = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};
    private static final String[] STRINGS = {"", "a", "ab", "abc", "b", "\u00e9t\u00e9", "\ud83d\ude00", "z"};
    private static final String[] NUMBERS = {"0", "1", "-1", "2", "1.5", "-0.5", "3", "10", "1E+125", "-1E-130",
        "12345678901234567890123456789012345678", "0.1", "99999999999999999999999999999999999999"};

    // ---------------------------------------------------------------------------------------------
    // Plain values
    // ---------------------------------------------------------------------------------------------

    /** The NULL value. */
    enum Null
    {
        NULL
    }

    /** Binary with value equality. */
    record Bin(byte[] bytes) implements Comparable<Bin>
    {
        public boolean equals(final Object o)
        {
            return o instanceof Bin && Arrays.equals(bytes, ((Bin)o).bytes);
        }

        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }

        public int compareTo(final Bin o)
        {
            return Arrays.compareUnsigned(bytes, o.bytes);
        }
    }

    record StrSet(Set<String> elements)
    {
    }

    record NumSet(Set<BigDecimal> elements)
    {
    }

    record BinSet(Set<Bin> elements)
    {
    }

    static BigDecimal norm(final BigDecimal value)
    {
        return 0 == value.signum() ? BigDecimal.ZERO : value.stripTrailingZeros();
    }

    static String typeOf(final Object v)
    {
        if (v instanceof String) return "S";
        if (v instanceof BigDecimal) return "N";
        if (v instanceof Bin) return "B";
        if (v instanceof Boolean) return "BOOL";
        if (v instanceof Null) return "NULL";
        if (v instanceof Map) return "M";
        if (v instanceof List) return "L";
        if (v instanceof StrSet) return "SS";
        if (v instanceof NumSet) return "NS";
        return "BS";
    }

    @SuppressWarnings("unchecked")
    static AttributeValue toAttr(final Object v)
    {
        switch (typeOf(v))
        {
            case "S": return AttributeValue.s((String)v);
            case "N": return AttributeValue.n((BigDecimal)v);
            case "B": return AttributeValue.b(((Bin)v).bytes);
            case "BOOL": return AttributeValue.bool((Boolean)v);
            case "NULL": return AttributeValue.nul();
            case "M":
            {
                final Map<String, AttributeValue> m = new TreeMap<>();
                ((Map<String, Object>)v).forEach((k, e) -> m.put(k, toAttr(e)));
                return AttributeValue.m(m);
            }
            case "L":
            {
                final List<AttributeValue> l = new ArrayList<>();
                ((List<Object>)v).forEach(e -> l.add(toAttr(e)));
                return AttributeValue.l(l);
            }
            case "SS": return AttributeValue.ss(((StrSet)v).elements);
            case "NS":
            {
                final List<String> texts = new ArrayList<>();
                ((NumSet)v).elements.forEach(e -> texts.add(e.toString()));
                return AttributeValue.ns(texts);
            }
            default:
            {
                final List<byte[]> bytes = new ArrayList<>();
                ((BinSet)v).elements.forEach(e -> bytes.add(e.bytes));
                return AttributeValue.bs(bytes);
            }
        }
    }

    static Object fromAttr(final AttributeValue v)
    {
        final byte type = v.type();
        switch (type)
        {
            case 1: return v.asString();
            case 2: return norm(v.asBigDecimal());
            case 3: return new Bin(v.asBytes());
            case 4: return v.asBoolean();
            case 5: return Null.NULL;
            case 6:
            {
                final Map<String, Object> m = new TreeMap<>();
                v.asMap().forEach((k, e) -> m.put(k, fromAttr(e)));
                return m;
            }
            case 7:
            {
                final List<Object> l = new ArrayList<>();
                v.asList().forEach(e -> l.add(fromAttr(e)));
                return l;
            }
            case 8: return new StrSet(new TreeSet<>(v.asStringSet()));
            case 9:
            {
                final Set<BigDecimal> s = new TreeSet<>();
                v.asNumberSet().forEach(e -> s.add(norm(new BigDecimal(e))));
                return new NumSet(s);
            }
            default:
            {
                final Set<Bin> s = new TreeSet<>();
                v.asBinarySet().forEach(e -> s.add(new Bin(e)));
                return new BinSet(s);
            }
        }
    }

    static Map<String, AttributeValue> toItem(final Map<String, Object> item)
    {
        final Map<String, AttributeValue> out = new TreeMap<>();
        item.forEach((k, v) -> out.put(k, toAttr(v)));
        return out;
    }

    static Map<String, Object> fromItem(final Map<String, AttributeValue> item)
    {
        final Map<String, Object> out = new TreeMap<>();
        item.forEach((k, v) -> out.put(k, fromAttr(v)));
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Random values and items
    // ---------------------------------------------------------------------------------------------

    private static Object scalar(final SplittableRandom random)
    {
        switch (random.nextInt(6))
        {
            case 0: return STRINGS[random.nextInt(STRINGS.length)];
            case 1:
            case 2: return norm(new BigDecimal(NUMBERS[random.nextInt(random.nextInt(4) == 0 ? NUMBERS.length : 8)]));
            case 3: return new Bin(new byte[]{(byte)random.nextInt(3), (byte)(random.nextInt(3) * 120)});
            case 4: return random.nextBoolean();
            default: return Null.NULL;
        }
    }

    private static Object value(final SplittableRandom random, final int depth)
    {
        final int kind = random.nextInt(depth > 1 ? 6 : 10);
        if (kind < 6)
        {
            return scalar(random);
        }
        switch (kind)
        {
            case 6:
            {
                final Set<String> s = new TreeSet<>();
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++)
                {
                    s.add(STRINGS[random.nextInt(STRINGS.length)]);
                }
                return new StrSet(s);
            }
            case 7:
            {
                final Set<BigDecimal> s = new TreeSet<>();
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++)
                {
                    s.add(norm(new BigDecimal(NUMBERS[random.nextInt(8)])));
                }
                return new NumSet(s);
            }
            case 8:
            {
                final Map<String, Object> m = new TreeMap<>();
                for (final String name : new String[]{"x", "y"})
                {
                    if (random.nextInt(4) > 0)
                    {
                        m.put(name, value(random, depth + 1));
                    }
                }
                return m;
            }
            default:
            {
                final List<Object> l = new ArrayList<>();
                for (int i = 0, n = random.nextInt(4); i < n; i++)
                {
                    l.add(value(random, depth + 1));
                }
                return l;
            }
        }
    }

    private static Map<String, Object> item(final SplittableRandom random)
    {
        final Map<String, Object> item = new TreeMap<>();
        item.put("pk", "k");
        for (final String name : ATTRIBUTES)
        {
            if (random.nextInt(10) < 7)
            {
                item.put(name, "doc".equals(name) && random.nextInt(3) > 0 ? value(random, 0) :
                    "lst".equals(name) && random.nextInt(3) > 0 ? value(random, 0) : value(random, 1));
            }
        }
        if (random.nextBoolean())
        {
            for (final String name : FILLERS)
            {
                item.put(name, value(random, 1));
            }
        }
        return item;
    }

    // ---------------------------------------------------------------------------------------------
    // Expressions: text for the engine, reference evaluation here
    // ---------------------------------------------------------------------------------------------

    /** Thrown by the reference where DynamoDB answers with a ValidationException. */
    static final class Invalid extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Invalid(final String rule)
        {
            super(rule, null, false, false);
        }
    }

    /** One random case: the expression, its placeholders, and the reference's view of its parts. */
    static final class Case
    {
        final SplittableRandom random;
        final Map<String, String> names = new LinkedHashMap<>();
        final Map<String, AttributeValue> values = new LinkedHashMap<>();
        final Map<String, Object> plainValues = new LinkedHashMap<>();
        final List<String> staticErrors = new ArrayList<>();

        Case(final SplittableRandom random)
        {
            this.random = random;
        }

        String value(final Object plain)
        {
            final String placeholder = ":v" + values.size();
            values.put(placeholder, toAttr(plain));
            plainValues.put(placeholder, plain);
            return placeholder;
        }

        String name(final String attribute)
        {
            if (random.nextBoolean())
            {
                return attribute;
            }
            final String placeholder = "#n" + names.size();
            names.put(placeholder, attribute);
            return placeholder;
        }
    }

    /** A path: segments are String names or Integer indexes. */
    record PathExpr(List<Object> segments)
    {
        String render(final Case c)
        {
            final StringBuilder sb = new StringBuilder();
            for (final Object segment : segments)
            {
                if (segment instanceof Integer)
                {
                    sb.append('[').append(segment).append(']');
                }
                else
                {
                    sb.append(sb.length() > 0 ? "." : "").append(c.name((String)segment));
                }
            }
            return sb.toString();
        }

        @SuppressWarnings("unchecked")
        Object resolve(final Map<String, Object> item)
        {
            Object current = item;
            for (final Object segment : segments)
            {
                if (null == current)
                {
                    return null;
                }
                if (segment instanceof Integer)
                {
                    final int index = (Integer)segment;
                    current = current instanceof List && index < ((List<Object>)current).size() ?
                        ((List<Object>)current).get(index) : null;
                }
                else
                {
                    current = current instanceof Map ? ((Map<String, Object>)current).get(segment) : null;
                }
            }
            return current;
        }
    }

    private static PathExpr randomPath(final SplittableRandom random)
    {
        final List<Object> segments = new ArrayList<>();
        final String top = ATTRIBUTES[random.nextInt(ATTRIBUTES.length)];
        segments.add(top);
        if ("doc".equals(top) && random.nextBoolean())
        {
            segments.add(random.nextBoolean() ? "x" : "y");
        }
        else if ("lst".equals(top) && random.nextBoolean())
        {
            segments.add(random.nextInt(3));
            if (random.nextInt(3) == 0)
            {
                segments.add("x");
            }
        }
        return new PathExpr(segments);
    }

    /** An operand: its text and the reference's value of it for an item (null = no value). */
    interface Operand
    {
        Object eval(Map<String, Object> item);

        String text();

        default Object constant()
        {
            return null;
        }

        /** The path an operand names, for DynamoDB's rule that an operator does not compare a path with itself. */
        default PathExpr path()
        {
            return null;
        }

        /** True for size(...), a number whatever the item. */
        default boolean isSize()
        {
            return false;
        }
    }

    private static Operand pathOperand(final Case c, final PathExpr path)
    {
        final String text = path.render(c);
        return new Operand()
        {
            public Object eval(final Map<String, Object> item)
            {
                return null == item ? null : path.resolve(item);
            }

            public String text()
            {
                return text;
            }

            public PathExpr path()
            {
                return path;
            }
        };
    }

    /** The same operand in parentheses, which DynamoDB accepts around any condition operand. */
    private static Operand inParentheses(final Operand operand)
    {
        return new Operand()
        {
            public Object eval(final Map<String, Object> item)
            {
                return operand.eval(item);
            }

            public String text()
            {
                return "(" + operand.text() + ")";
            }

            public Object constant()
            {
                return operand.constant();
            }

            public PathExpr path()
            {
                return operand.path();
            }

            public boolean isSize()
            {
                return operand.isSize();
            }
        };
    }

    /** DynamoDB's rule: the first operand of an operator or function is not the same path as any other. */
    private static void checkDistinct(final Case c, final Operand first, final Operand... rest)
    {
        for (final Operand other : rest)
        {
            if (null != first.path() && first.path().equals(other.path()))
            {
                c.staticErrors.add("operand compared with itself");
            }
        }
    }

    private static Operand valueOperand(final Case c, final Object plain)
    {
        final String text = c.value(plain);
        return new Operand()
        {
            public Object eval(final Map<String, Object> item)
            {
                return plain;
            }

            public String text()
            {
                return text;
            }

            public Object constant()
            {
                return plain;
            }
        };
    }

    private static Operand operand(final Case c)
    {
        final Operand operand = bareOperand(c);
        return c.random.nextInt(8) == 0 ? inParentheses(operand) : operand;
    }

    private static Operand bareOperand(final Case c)
    {
        final int kind = c.random.nextInt(10);
        if (kind < 5)
        {
            return pathOperand(c, randomPath(c.random));
        }
        if (kind < 9)
        {
            return valueOperand(c, value(c.random, 1));
        }
        final PathExpr path = randomPath(c.random);
        final String text = "size(" + path.render(c) + ")";
        return new Operand()
        {
            public Object eval(final Map<String, Object> item)
            {
                final Object v = null == item ? null : path.resolve(item);
                final Integer size = size(v);
                return null == size ? null : norm(BigDecimal.valueOf(size));
            }

            public String text()
            {
                return text;
            }

            public boolean isSize()
            {
                return true;
            }
        };
    }

    @SuppressWarnings("unchecked")
    static Integer size(final Object v)
    {
        if (v instanceof String) return ((String)v).length(); // UTF-16 code units, as DynamoDB counts
        if (v instanceof Bin) return ((Bin)v).bytes.length;
        if (v instanceof Map) return ((Map<String, Object>)v).size();
        if (v instanceof List) return ((List<Object>)v).size();
        if (v instanceof StrSet) return ((StrSet)v).elements.size();
        if (v instanceof NumSet) return ((NumSet)v).elements.size();
        if (v instanceof BinSet) return ((BinSet)v).elements.size();
        return null;
    }

    static boolean orderable(final Object v)
    {
        return v instanceof String || v instanceof BigDecimal || v instanceof Bin;
    }

    /** Order of two values, or null when they have none (different or unordered types). */
    static Integer compare(final Object a, final Object b)
    {
        if (!orderable(a) || !typeOf(a).equals(typeOf(b)))
        {
            return null;
        }
        if (a instanceof String)
        {
            return Integer.signum(Arrays.compareUnsigned(((String)a).getBytes(StandardCharsets.UTF_8),
                ((String)b).getBytes(StandardCharsets.UTF_8)));
        }
        if (a instanceof BigDecimal)
        {
            return Integer.signum(((BigDecimal)a).compareTo((BigDecimal)b));
        }
        return Integer.signum(((Bin)a).compareTo((Bin)b));
    }

    /** A condition: its text and the reference's truth for an item. */
    interface Cond
    {
        boolean eval(Map<String, Object> item);

        String text();

        /** True for AND/OR, which need parentheses to be an operand of NOT or of a tighter operator. */
        default boolean compound()
        {
            return false;
        }

        default String operandText()
        {
            return compound() ? "(" + text() + ")" : text();
        }
    }

    private static Cond condition(final Case c, final int depth)
    {
        final int kind = c.random.nextInt(depth > 3 ? 7 : 11);
        switch (kind)
        {
            case 0:
            case 1:
            case 2:
            {
                final String[] ops = {"=", "<>", "<", "<=", ">", ">="};
                final String op = ops[c.random.nextInt(ops.length)];
                final Operand a = operand(c);
                final Operand b = operand(c);
                checkDistinct(c, a, b);
                if (op.length() > 1 && !"<>".equals(op) || "<".equals(op) || ">".equals(op))
                {
                    checkOrderableConstant(c, a, b);
                }
                return cond(a.text() + " " + op + " " + b.text(), item ->
                {
                    final Object x = a.eval(item);
                    final Object y = b.eval(item);
                    if (null == x || null == y)
                    {
                        return "<>".equals(op);
                    }
                    if ("=".equals(op))
                    {
                        return x.equals(y);
                    }
                    if ("<>".equals(op))
                    {
                        return !x.equals(y);
                    }
                    final Integer cmp = compare(x, y);
                    if (null == cmp)
                    {
                        return false;
                    }
                    switch (op)
                    {
                        case "<": return cmp < 0;
                        case "<=": return cmp <= 0;
                        case ">": return cmp > 0;
                        default: return cmp >= 0;
                    }
                });
            }

            case 3:
            {
                final Operand a = operand(c);
                final Operand lo = operand(c);
                final Operand hi = operand(c);
                checkDistinct(c, a, lo, hi);
                checkOrderableConstant(c, a, lo, hi);
                if (null != lo.constant() && null != hi.constant() && orderable(lo.constant()) &&
                    orderable(hi.constant()))
                {
                    final Integer cmp = compare(lo.constant(), hi.constant());
                    if (null == cmp)
                    {
                        c.staticErrors.add("BETWEEN bounds of different types");
                    }
                    else if (cmp > 0)
                    {
                        c.staticErrors.add("BETWEEN lower bound above upper bound");
                    }
                }
                return cond(a.text() + " BETWEEN " + lo.text() + " AND " + hi.text(), item ->
                {
                    final Object x = a.eval(item);
                    final Object l = lo.eval(item);
                    final Object h = hi.eval(item);
                    if (null == x || null == l || null == h)
                    {
                        return false;
                    }
                    final Integer cl = compare(x, l);
                    final Integer ch = compare(x, h);
                    return null != cl && null != ch && cl >= 0 && ch <= 0;
                });
            }

            case 4:
            {
                final Operand a = operand(c);
                final List<Operand> candidates = new ArrayList<>();
                for (int i = 0, n = 1 + c.random.nextInt(3); i < n; i++)
                {
                    candidates.add(operand(c));
                }
                checkDistinct(c, a, candidates.toArray(new Operand[0]));
                final List<String> texts = new ArrayList<>();
                candidates.forEach(o -> texts.add(o.text()));
                return cond(a.text() + " IN (" + String.join(", ", texts) + ")", item ->
                {
                    final Object x = a.eval(item);
                    if (null == x)
                    {
                        return false;
                    }
                    for (final Operand candidate : candidates)
                    {
                        if (x.equals(candidate.eval(item)))
                        {
                            return true;
                        }
                    }
                    return false;
                });
            }

            case 5:
            {
                final boolean exists = c.random.nextBoolean();
                final Operand path = pathOperand(c, randomPath(c.random));
                return cond((exists ? "attribute_exists(" : "attribute_not_exists(") + path.text() + ")",
                    item -> exists == (null != path.eval(item)));
            }

            case 6:
            {
                final Operand path = pathOperand(c, randomPath(c.random));
                final boolean valid = c.random.nextInt(20) > 0;
                final String type = valid ? TYPE_NAMES[c.random.nextInt(TYPE_NAMES.length)] : "X";
                if (!valid)
                {
                    c.staticErrors.add("invalid type name");
                }
                final Operand typeName = valueOperand(c, type);
                return cond("attribute_type(" + path.text() + ", " + typeName.text() + ")", item ->
                {
                    final Object x = path.eval(item);
                    return null != x && typeOf(x).equals(type);
                });
            }

            case 7:
            {
                final boolean beginsWith = c.random.nextBoolean();
                final Operand a = operand(c);
                final Operand b = operand(c);
                checkDistinct(c, a, b);
                if (beginsWith)
                {
                    for (final Operand o : new Operand[]{a, b})
                    {
                        if (o.isSize() ||
                            null != o.constant() && !(o.constant() instanceof String) && !(o.constant() instanceof Bin))
                        {
                            c.staticErrors.add("begins_with operand type");
                        }
                    }
                }
                return cond((beginsWith ? "begins_with(" : "contains(") + a.text() + ", " + b.text() + ")", item ->
                {
                    final Object x = a.eval(item);
                    final Object y = b.eval(item);
                    if (null == x || null == y)
                    {
                        return false;
                    }
                    return beginsWith ? beginsWith(x, y) : contains(x, y);
                });
            }

            case 8:
            {
                final Cond a = condition(c, depth + 1);
                final Cond b = condition(c, depth + 1);
                return compound("(" + a.text() + ") AND (" + b.text() + ")", item -> a.eval(item) && b.eval(item));
            }

            case 9:
            {
                final Cond a = condition(c, depth + 1);
                final Cond b = condition(c, depth + 1);
                // no parentheses: the engine must apply AND before OR, as the reference's tree does
                if (c.random.nextBoolean())
                {
                    final Cond d = condition(c, depth + 1);
                    return compound(a.operandText() + " OR " + b.operandText() + " AND " + d.operandText(),
                        item -> a.eval(item) || (b.eval(item) && d.eval(item)));
                }
                return compound("(" + a.text() + ") or (" + b.text() + ")", item -> a.eval(item) || b.eval(item));
            }

            default:
            {
                final Cond a = condition(c, depth + 1);
                return cond("NOT " + a.operandText(), item -> !a.eval(item));
            }
        }
    }

    private static void checkOrderableConstant(final Case c, final Operand... operands)
    {
        for (final Operand o : operands)
        {
            if (null != o.constant() && !orderable(o.constant()))
            {
                c.staticErrors.add("ordering of " + typeOf(o.constant()));
            }
        }
    }

    @SuppressWarnings("unchecked")
    static boolean contains(final Object x, final Object y)
    {
        if (x instanceof String)
        {
            return y instanceof String && ((String)x).contains((String)y);
        }
        if (x instanceof Bin)
        {
            if (!(y instanceof Bin))
            {
                return false;
            }
            final byte[] a = ((Bin)x).bytes;
            final byte[] b = ((Bin)y).bytes;
            for (int i = 0; i + b.length <= a.length; i++)
            {
                if (Arrays.equals(a, i, i + b.length, b, 0, b.length))
                {
                    return true;
                }
            }
            return false;
        }
        if (x instanceof StrSet)
        {
            return y instanceof String && ((StrSet)x).elements.contains(y);
        }
        if (x instanceof NumSet)
        {
            return y instanceof BigDecimal && ((NumSet)x).elements.contains(y);
        }
        if (x instanceof BinSet)
        {
            return y instanceof Bin && ((BinSet)x).elements.contains(y);
        }
        if (x instanceof List)
        {
            return ((List<Object>)x).contains(y);
        }
        return false;
    }

    static boolean beginsWith(final Object x, final Object y)
    {
        if (x instanceof String && y instanceof String)
        {
            final byte[] a = ((String)x).getBytes(StandardCharsets.UTF_8);
            final byte[] b = ((String)y).getBytes(StandardCharsets.UTF_8);
            return a.length >= b.length && Arrays.equals(a, 0, b.length, b, 0, b.length);
        }
        if (x instanceof Bin && y instanceof Bin)
        {
            final byte[] a = ((Bin)x).bytes;
            final byte[] b = ((Bin)y).bytes;
            return a.length >= b.length && Arrays.equals(a, 0, b.length, b, 0, b.length);
        }
        return false;
    }

    private static Cond compound(final String text, final java.util.function.Predicate<Map<String, Object>> eval)
    {
        return new Cond()
        {
            public boolean eval(final Map<String, Object> item)
            {
                return eval.test(item);
            }

            public String text()
            {
                return text;
            }

            public boolean compound()
            {
                return true;
            }
        };
    }

    private static Cond cond(final String text, final java.util.function.Predicate<Map<String, Object>> eval)
    {
        return new Cond()
        {
            public boolean eval(final Map<String, Object> item)
            {
                return eval.test(item);
            }

            public String text()
            {
                return text;
            }
        };
    }

    // ---------------------------------------------------------------------------------------------
    // The comparisons
    // ---------------------------------------------------------------------------------------------

    @Test
    void randomConditionsAgreeWithTheReference()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final ExprFixture fx = new ExprFixture();
        int trueCount = 0;
        int errorCount = 0;
        for (int i = 0; i < CONDITION_CASES; i++)
        {
            final Case c = new Case(random);
            final Map<String, Object> item = random.nextInt(20) == 0 ? null : item(random);
            final Cond cond = condition(c, 0);
            final String context = "case " + i + ": " + cond.text() + " names=" + c.names + " values=" + c.values +
                " item=" + (null == item ? null : toItem(item));
            boolean actual = false;
            FerriteException error = null;
            try
            {
                actual = fx.test(cond.text(), c.names, c.values, null == item ? null : toItem(item));
            }
            catch (final FerriteException ex)
            {
                error = ex;
            }
            if (!c.staticErrors.isEmpty())
            {
                if (null == error)
                {
                    fail("expected a ValidationException (" + c.staticErrors + ") for " + context);
                }
                assertEquals(ErrorCode.ValidationException, error.code(), context);
                assertTrue(error.getMessage().startsWith("Invalid ConditionExpression: "), error.getMessage());
                errorCount++;
                continue;
            }
            if (null != error)
            {
                fail("unexpected " + error + " for " + context);
            }
            assertEquals(cond.eval(item), actual, context);
            trueCount += actual ? 1 : 0;
        }
        // the generator must exercise both outcomes and the error rules
        assertTrue(trueCount > CONDITION_CASES / 10, "true in " + trueCount + " cases");
        assertTrue(trueCount < CONDITION_CASES * 9 / 10, "true in " + trueCount + " cases");
        assertTrue(errorCount > CONDITION_CASES / 50, "errors in " + errorCount + " cases");
    }

    // ---------------------------------------------------------------------------------------------
    // Updates
    // ---------------------------------------------------------------------------------------------

    /** An update action: its text, and what it does to the reference's new item (reading the old one). */
    interface Action
    {
        String text();

        void apply(Map<String, Object> old, Map<String, Object> updated);

        boolean writes();
    }

    /** A SET operand term: reference value of it, throwing Invalid for DynamoDB's runtime errors. */
    interface Term
    {
        String text();

        Object eval(Map<String, Object> old);

        default Object constant()
        {
            return null;
        }
    }

    private static Term pathTerm(final Case c, final PathExpr path)
    {
        final String text = path.render(c);
        return new Term()
        {
            public String text()
            {
                return text;
            }

            public Object eval(final Map<String, Object> old)
            {
                final Object v = path.resolve(old);
                if (null == v)
                {
                    throw new Invalid("operand missing");
                }
                return v;
            }
        };
    }

    private static Term valueTerm(final Case c, final Object plain)
    {
        final String text = c.value(plain);
        return new Term()
        {
            public String text()
            {
                return text;
            }

            public Object eval(final Map<String, Object> old)
            {
                return plain;
            }

            public Object constant()
            {
                return plain;
            }
        };
    }

    private static Term simpleTerm(final Case c)
    {
        final int kind = c.random.nextInt(4);
        if (kind < 2)
        {
            return pathTerm(c, randomPath(c.random));
        }
        if (kind == 2)
        {
            return valueTerm(c, c.random.nextBoolean() ?
                norm(new BigDecimal(NUMBERS[c.random.nextInt(NUMBERS.length)])) : value(c.random, 1));
        }
        final PathExpr path = randomPath(c.random);
        final String pathText = path.render(c);
        final Term fallback = valueTerm(c, value(c.random, 1));
        return new Term()
        {
            public String text()
            {
                return "if_not_exists(" + pathText + ", " + fallback.text() + ")";
            }

            public Object eval(final Map<String, Object> old)
            {
                final Object v = path.resolve(old);
                return null != v ? v : fallback.eval(old);
            }
        };
    }

    /** DynamoDB accepts a SET value, or an operand of its + or -, in parentheses. */
    private static String sometimesInParentheses(final Case c, final String text)
    {
        return c.random.nextInt(6) == 0 ? "(" + text + ")" : text;
    }

    static BigDecimal checkedNumber(final BigDecimal exact)
    {
        final BigDecimal n = norm(exact);
        if (0 == n.signum())
        {
            return n;
        }
        if (n.precision() > 38)
        {
            throw new Invalid("more than 38 digits");
        }
        final int exponent = n.precision() - n.scale();
        if (exponent > 126 || exponent < -129)
        {
            throw new Invalid("out of range");
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private static Action action(final Case c, final String target)
    {
        final int kind = c.random.nextInt(9);
        switch (kind)
        {
            case 0:
            case 1:
            {
                final Term term = simpleTerm(c);
                return action("SET", c.name(target) + " = " + sometimesInParentheses(c, term.text()), true,
                    (old, updated) -> updated.put(target, term.eval(old)));
            }

            case 2:
            {
                final boolean subtract = c.random.nextBoolean();
                final Term x = simpleTerm(c);
                final Term y = simpleTerm(c);
                for (final Term t : new Term[]{x, y})
                {
                    if (null != t.constant() && !(t.constant() instanceof BigDecimal))
                    {
                        c.staticErrors.add("arithmetic on " + typeOf(t.constant()));
                    }
                }
                final String sum = sometimesInParentheses(c, x.text()) + (subtract ? " - " : " + ") +
                    sometimesInParentheses(c, y.text());
                return action("SET", c.name(target) + " = " + sometimesInParentheses(c, sum), true, (old, updated) ->
                    {
                        final Object a = x.eval(old);
                        final Object b = y.eval(old);
                        if (!(a instanceof BigDecimal) || !(b instanceof BigDecimal))
                        {
                            throw new Invalid("arithmetic type");
                        }
                        updated.put(target, checkedNumber(subtract ?
                            ((BigDecimal)a).subtract((BigDecimal)b) : ((BigDecimal)a).add((BigDecimal)b)));
                    });
            }

            case 3:
            {
                final Term x = c.random.nextBoolean() ? pathTerm(c, randomPath(c.random)) :
                    valueTerm(c, value(c.random, 1));
                final Term y = valueTerm(c, c.random.nextInt(4) > 0 ? List.of(scalar(c.random)) : scalar(c.random));
                for (final Term t : new Term[]{x, y})
                {
                    if (null != t.constant() && !(t.constant() instanceof List))
                    {
                        c.staticErrors.add("list_append of " + typeOf(t.constant()));
                    }
                }
                return action("SET", c.name(target) + " = list_append(" + x.text() + ", " + y.text() + ")", true,
                    (old, updated) ->
                    {
                        final Object a = x.eval(old);
                        final Object b = y.eval(old);
                        if (!(a instanceof List) || !(b instanceof List))
                        {
                            throw new Invalid("list_append type");
                        }
                        final List<Object> joined = new ArrayList<>((List<Object>)a);
                        joined.addAll((List<Object>)b);
                        updated.put(target, joined);
                    });
            }

            case 4:
                return action("REMOVE", c.name(target), false, (old, updated) -> updated.remove(target));

            case 5:
            case 6:
            {
                final Object operand = c.random.nextInt(3) == 0 ? value(c.random, 1) :
                    norm(new BigDecimal(NUMBERS[c.random.nextInt(NUMBERS.length)]));
                if (!(operand instanceof BigDecimal) && !(operand instanceof StrSet) && !(operand instanceof NumSet))
                {
                    c.staticErrors.add("ADD of " + typeOf(operand));
                }
                final String placeholder = c.value(operand);
                return action("ADD", c.name(target) + " " + placeholder, true, (old, updated) ->
                {
                    final Object current = old.get(target);
                    if (null == current)
                    {
                        updated.put(target, operand);
                    }
                    else if (current instanceof BigDecimal && operand instanceof BigDecimal)
                    {
                        updated.put(target, checkedNumber(((BigDecimal)current).add((BigDecimal)operand)));
                    }
                    else if (current instanceof StrSet && operand instanceof StrSet)
                    {
                        final Set<String> union = new TreeSet<>(((StrSet)current).elements);
                        union.addAll(((StrSet)operand).elements);
                        updated.put(target, new StrSet(union));
                    }
                    else if (current instanceof NumSet && operand instanceof NumSet)
                    {
                        final Set<BigDecimal> union = new TreeSet<>(((NumSet)current).elements);
                        union.addAll(((NumSet)operand).elements);
                        updated.put(target, new NumSet(union));
                    }
                    else
                    {
                        throw new Invalid("ADD type");
                    }
                });
            }

            case 7:
            {
                final Object operand = c.random.nextInt(4) == 0 ? scalar(c.random) : value(c.random, 1);
                if (!(operand instanceof StrSet) && !(operand instanceof NumSet))
                {
                    c.staticErrors.add("DELETE of " + typeOf(operand));
                }
                final String placeholder = c.value(operand);
                return action("DELETE", c.name(target) + " " + placeholder, false, (old, updated) ->
                {
                    final Object current = old.get(target);
                    if (null == current)
                    {
                        return;
                    }
                    final Set<Object> remaining;
                    if (current instanceof StrSet && operand instanceof StrSet)
                    {
                        remaining = new TreeSet<>(((StrSet)current).elements);
                        remaining.removeAll(((StrSet)operand).elements);
                    }
                    else if (current instanceof NumSet && operand instanceof NumSet)
                    {
                        remaining = new TreeSet<>(((NumSet)current).elements);
                        remaining.removeAll(((NumSet)operand).elements);
                    }
                    else
                    {
                        throw new Invalid("DELETE type");
                    }
                    if (remaining.isEmpty())
                    {
                        updated.remove(target);
                    }
                    else
                    {
                        updated.put(target, current instanceof StrSet ?
                            new StrSet((Set<String>)(Set<?>)remaining) : new NumSet((Set<BigDecimal>)(Set<?>)remaining));
                    }
                });
            }

            default:
            {
                // a nested SET into a map attribute: the map must exist
                final Object plain = scalar(c.random);
                final String placeholder = c.value(plain);
                return action("SET", c.name(target) + "." + c.name("x") + " = " + placeholder, true,
                    (old, updated) ->
                    {
                        final Object current = old.get(target);
                        if (!(current instanceof Map))
                        {
                            throw new Invalid("nested SET into " + (null == current ? "nothing" : typeOf(current)));
                        }
                        final Map<String, Object> copy = new TreeMap<>((Map<String, Object>)current);
                        copy.put("x", plain);
                        updated.put(target, copy);
                    });
            }
        }
    }

    private static Action action(
        final String clause, final String text, final boolean writes,
        final java.util.function.BiConsumer<Map<String, Object>, Map<String, Object>> apply)
    {
        return new Action()
        {
            public String text()
            {
                return clause + "|" + text;
            }

            public void apply(final Map<String, Object> old, final Map<String, Object> updated)
            {
                apply.accept(old, updated);
            }

            public boolean writes()
            {
                return writes;
            }
        };
    }

    @Test
    void randomUpdatesAgreeWithTheReference()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        final ExprFixture fx = new ExprFixture();
        final String[] targets = {"a", "b", "c", "d", "doc"};
        int applied = 0;
        int runtimeErrors = 0;
        int staticErrors = 0;
        for (int i = 0; i < UPDATE_CASES; i++)
        {
            final Case c = new Case(random);
            final boolean missing = random.nextInt(10) == 0;
            final Map<String, Object> old = item(random);
            final List<String> chosen = new ArrayList<>(List.of(targets));
            Collections.shuffle(chosen, new java.util.Random(random.nextLong()));
            final int count = 1 + random.nextInt(3);
            final Map<String, List<String>> clauses = new LinkedHashMap<>();
            final List<Action> actions = new ArrayList<>();
            for (int a = 0; a < count; a++)
            {
                final Action action = action(c, chosen.get(a));
                actions.add(action);
                final String[] parts = action.text().split("\\|", 2);
                clauses.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
            }
            final StringBuilder text = new StringBuilder();
            clauses.forEach((clause, parts) -> text.append(random.nextBoolean() ? clause : clause.toLowerCase())
                .append(' ').append(String.join(", ", parts)).append(' '));

            final Map<String, Object> base = missing ? new TreeMap<>(Map.of("pk", "k")) : old;
            Map<String, Object> expected = null;
            String expectedError = null;
            if (!c.staticErrors.isEmpty())
            {
                expectedError = "static: " + c.staticErrors;
            }
            else
            {
                try
                {
                    final Map<String, Object> updated = new TreeMap<>(base);
                    boolean writes = false;
                    for (final Action action : actions)
                    {
                        action.apply(base, updated);
                        writes |= action.writes();
                    }
                    expected = missing && !writes ? null : updated;
                }
                catch (final Invalid ex)
                {
                    expectedError = "runtime: " + ex.getMessage();
                }
            }

            final String context = "case " + i + ": " + text + " names=" + c.names + " values=" + c.values +
                " item=" + (missing ? null : toItem(old));
            Map<String, AttributeValue> actual = null;
            FerriteException error = null;
            try
            {
                actual = fx.update(text.toString().trim(), c.names, c.values, Map.of("pk", AttributeValue.s("k")),
                    missing ? null : toItem(old));
            }
            catch (final FerriteException ex)
            {
                error = ex;
            }
            if (null != expectedError)
            {
                if (null == error)
                {
                    fail("expected a ValidationException (" + expectedError + ") for " + context + " but got " + actual);
                }
                assertEquals(ErrorCode.ValidationException, error.code(), context);
                if (expectedError.startsWith("static"))
                {
                    assertTrue(error.getMessage().startsWith("Invalid UpdateExpression: "), error.getMessage());
                    staticErrors++;
                }
                else
                {
                    runtimeErrors++;
                }
                continue;
            }
            if (null != error)
            {
                fail("unexpected " + error + " for " + context);
            }
            assertEquals(expected, null == actual ? null : fromItem(actual), context);
            applied++;
        }
        assertTrue(applied > UPDATE_CASES / 6, applied + " applied");
        assertTrue(runtimeErrors > UPDATE_CASES / 50, runtimeErrors + " runtime errors");
        assertTrue(staticErrors > UPDATE_CASES / 50, staticErrors + " static errors");
    }

    // ---------------------------------------------------------------------------------------------
    // Projections
    // ---------------------------------------------------------------------------------------------

    private static final int PROJECTION_CASES = 3000;

    /** The reference's rule for two paths: null when compatible, else why not. */
    static String clash(final PathExpr a, final PathExpr b)
    {
        final int common = Math.min(a.segments().size(), b.segments().size());
        for (int i = 0; i < common; i++)
        {
            final Object x = a.segments().get(i);
            final Object y = b.segments().get(i);
            if (!x.equals(y))
            {
                return (x instanceof Integer) != (y instanceof Integer) ? "conflict" : null;
            }
        }
        return "overlap";
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> project(final Map<String, Object> item, final List<PathExpr> paths)
    {
        final Map<String, Object> result = new TreeMap<>();
        for (final PathExpr path : paths)
        {
            final Object value = path.resolve(item);
            if (null == value)
            {
                continue;
            }
            Object container = result;
            final List<Object> segments = path.segments();
            for (int i = 0; i < segments.size(); i++)
            {
                final Object segment = segments.get(i);
                final boolean last = i == segments.size() - 1;
                final Object next = last ? value :
                    segments.get(i + 1) instanceof Integer ? new TreeMap<Integer, Object>() : new TreeMap<String, Object>();
                final Map<Object, Object> map = (Map<Object, Object>)container;
                container = last ? map.put(segment, next) : map.computeIfAbsent(segment, k -> next);
            }
        }
        return (Map<String, Object>)listify(result);
    }

    /** Integer-keyed maps stand for lists under construction: their elements, in index order. */
    @SuppressWarnings("unchecked")
    static Object listify(final Object value)
    {
        if (!(value instanceof TreeMap))
        {
            return value;
        }
        final TreeMap<Object, Object> map = (TreeMap<Object, Object>)value;
        if (!map.isEmpty() && map.firstKey() instanceof Integer)
        {
            final List<Object> list = new ArrayList<>();
            map.values().forEach(v -> list.add(listify(v)));
            return list;
        }
        final Map<String, Object> out = new TreeMap<>();
        map.forEach((k, v) -> out.put((String)k, listify(v)));
        return out;
    }

    @Test
    void randomProjectionsAgreeWithTheReference()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 2);
        final ExprFixture fx = new ExprFixture();
        int projected = 0;
        int errors = 0;
        for (int i = 0; i < PROJECTION_CASES; i++)
        {
            final Case c = new Case(random);
            final Map<String, Object> item = item(random);
            final List<PathExpr> paths = new ArrayList<>();
            for (int p = 0, n = 1 + random.nextInt(4); p < n; p++)
            {
                paths.add(randomPath(random));
            }
            String clash = null;
            for (int x = 0; x < paths.size() && null == clash; x++)
            {
                for (int y = x + 1; y < paths.size() && null == clash; y++)
                {
                    clash = clash(paths.get(x), paths.get(y));
                }
            }
            final List<String> texts = new ArrayList<>();
            paths.forEach(path -> texts.add(path.render(c)));
            final String text = String.join(", ", texts);
            final String context = "case " + i + ": " + text + " names=" + c.names + " item=" + toItem(item);
            try
            {
                final Map<String, AttributeValue> actual = fx.project(text, c.names, toItem(item));
                if (null != clash)
                {
                    fail("expected a ValidationException (" + clash + ") for " + context);
                }
                assertEquals(project(item, paths), fromItem(actual), context);
                projected++;
            }
            catch (final FerriteException ex)
            {
                if (null == clash)
                {
                    fail("unexpected " + ex + " for " + context);
                }
                assertTrue(ex.getMessage().startsWith("Invalid ProjectionExpression: Two document paths " +
                    ("overlap".equals(clash) ? "overlap" : "conflict")), context + ": " + ex.getMessage());
                errors++;
            }
        }
        assertTrue(projected > PROJECTION_CASES / 3, projected + " projected");
        assertTrue(errors > PROJECTION_CASES / 20, errors + " errors");
    }
}
