package io.ferrite.engine.expr;

import org.agrona.DirectBuffer;

/**
 * A node of a compiled condition: a comparison, BETWEEN, IN, a function or AND/OR/NOT. DynamoDB's
 * semantics for missing values: a comparison, BETWEEN, IN or function over a missing value is false,
 * except {@code <>}, which is true (a missing value is not equal to anything).
 * <p>
 * Threading: as {@link Operand}: one thread at a time; no allocation.
 */
abstract class Predicate
{
    abstract boolean test(DirectBuffer item, int itemOff, int itemLen);

    /** The comparators. */
    enum Comparator
    {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

        final String symbol;

        Comparator(final String symbol)
        {
            this.symbol = symbol;
        }
    }

    /** a op b. */
    static final class Compare extends Predicate
    {
        final Comparator comparator;
        final Operand left;
        final Operand right;

        Compare(final Comparator comparator, final Operand left, final Operand right)
        {
            this.comparator = comparator;
            this.left = left;
            this.right = right;
        }

        boolean test(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int a = left.resolve(item, itemOff, itemLen);
            final int b = a < 0 ? -1 : right.resolve(item, itemOff, itemLen);
            if (a < 0 || b < 0)
            {
                return Comparator.NE == comparator;
            }
            switch (comparator)
            {
                case EQ:
                    return Values.equal(left.buffer, a, right.buffer, b);
                case NE:
                    return !Values.equal(left.buffer, a, right.buffer, b);
                default:
                    final int cmp = Values.compare(left.buffer, a, right.buffer, b);
                    if (Values.UNORDERED == cmp)
                    {
                        return false;
                    }
                    switch (comparator)
                    {
                        case LT:
                            return cmp < 0;
                        case LE:
                            return cmp <= 0;
                        case GT:
                            return cmp > 0;
                        default:
                            return cmp >= 0;
                    }
            }
        }

        public String toString()
        {
            return "(" + left + " " + comparator.symbol + " " + right + ")";
        }
    }

    /** a BETWEEN low AND high (inclusive). */
    static final class Between extends Predicate
    {
        final Operand value;
        final Operand low;
        final Operand high;

        Between(final Operand value, final Operand low, final Operand high)
        {
            this.value = value;
            this.low = low;
            this.high = high;
        }

        boolean test(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int v = value.resolve(item, itemOff, itemLen);
            if (v < 0)
            {
                return false;
            }
            final int lo = low.resolve(item, itemOff, itemLen);
            final int hi = lo < 0 ? -1 : high.resolve(item, itemOff, itemLen);
            if (lo < 0 || hi < 0)
            {
                return false;
            }
            final int cmpLow = Values.compare(value.buffer, v, low.buffer, lo);
            final int cmpHigh = Values.compare(value.buffer, v, high.buffer, hi);
            return Values.UNORDERED != cmpLow && Values.UNORDERED != cmpHigh && cmpLow >= 0 && cmpHigh <= 0;
        }

        public String toString()
        {
            return "(" + value + " BETWEEN " + low + " AND " + high + ")";
        }
    }

    /** a IN (b, c, ...). */
    static final class In extends Predicate
    {
        final Operand value;
        final Operand[] candidates;

        In(final Operand value, final Operand[] candidates)
        {
            this.value = value;
            this.candidates = candidates;
        }

        boolean test(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int v = value.resolve(item, itemOff, itemLen);
            if (v < 0)
            {
                return false;
            }
            for (final Operand candidate : candidates)
            {
                final int c = candidate.resolve(item, itemOff, itemLen);
                if (c >= 0 && Values.equal(value.buffer, v, candidate.buffer, c))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /** attribute_exists(path) and attribute_not_exists(path). */
    static final class Exists extends Predicate
    {
        final Operand path;
        final boolean exists;

        Exists(final Operand path, final boolean exists)
        {
            this.path = path;
            this.exists = exists;
        }

        boolean test(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            return exists == path.resolve(item, itemOff, itemLen) >= 0;
        }
    }

    /** attribute_type(path, :type). */
    static final class Type extends Predicate
    {
        final Operand path;
        final byte type;

        Type(final Operand path, final byte type)
        {
            this.path = path;
            this.type = type;
        }

        boolean test(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int v = path.resolve(item, itemOff, itemLen);
            return v >= 0 && path.buffer.getByte(v) == type;
        }
    }

    /** begins_with(a, b) and contains(a, b). */
    static final class Function extends Predicate
    {
        final Operand first;
        final Operand second;
        final boolean beginsWith;

        Function(final Operand first, final Operand second, final boolean beginsWith)
        {
            this.first = first;
            this.second = second;
            this.beginsWith = beginsWith;
        }

        boolean test(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            final int a = first.resolve(item, itemOff, itemLen);
            final int b = a < 0 ? -1 : second.resolve(item, itemOff, itemLen);
            if (a < 0 || b < 0)
            {
                return false;
            }
            return beginsWith ?
                Values.beginsWith(first.buffer, a, second.buffer, b) : Values.contains(first.buffer, a, second.buffer, b);
        }
    }

    /** a AND b. */
    static final class And extends Predicate
    {
        final Predicate left;
        final Predicate right;

        And(final Predicate left, final Predicate right)
        {
            this.left = left;
            this.right = right;
        }

        boolean test(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            return left.test(item, itemOff, itemLen) && right.test(item, itemOff, itemLen);
        }

        public String toString()
        {
            return "(" + left + " AND " + right + ")";
        }
    }

    /** a OR b. */
    static final class Or extends Predicate
    {
        final Predicate left;
        final Predicate right;

        Or(final Predicate left, final Predicate right)
        {
            this.left = left;
            this.right = right;
        }

        boolean test(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            return left.test(item, itemOff, itemLen) || right.test(item, itemOff, itemLen);
        }

        public String toString()
        {
            return "(" + left + " OR " + right + ")";
        }
    }

    /** NOT a. */
    static final class Not extends Predicate
    {
        final Predicate operand;

        Not(final Predicate operand)
        {
            this.operand = operand;
        }

        boolean test(final DirectBuffer item, final int itemOff, final int itemLen)
        {
            return !operand.test(item, itemOff, itemLen);
        }

        public String toString()
        {
            return "(NOT " + operand + ")";
        }
    }
}
