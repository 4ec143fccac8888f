package io.ferrite.perf.latency;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the harness needs: writing flat objects of strings and integers, and reading back a file
 * of them (an array of flat objects, as the harness writes) for the report and the tests.
 */
public final class Json
{
    private Json()
    {
    }

    static StringBuilder field(final StringBuilder out, final String name, final String value)
    {
        string(out, name).append(':');
        return string(out, value);
    }

    static StringBuilder field(final StringBuilder out, final String name, final long value)
    {
        return string(out, name).append(':').append(value);
    }

    static StringBuilder string(final StringBuilder out, final String value)
    {
        out.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if ('"' == c || '\\' == c)
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.append('"');
    }

    /**
     * Parses an array of flat objects whose values are strings or integers.
     *
     * @param text the JSON text.
     * @return the objects, fields in file order; numbers as {@link Long}, strings as {@link String}.
     * @throws IllegalArgumentException naming the offset, if the text is not such an array.
     */
    public static List<Map<String, Object>> parseArrayOfObjects(final String text)
    {
        final Parser parser = new Parser(text);
        final List<Map<String, Object>> objects = new ArrayList<>();
        parser.expect('[');
        if (!parser.tryConsume(']'))
        {
            do
            {
                objects.add(parser.object());
            }
            while (parser.tryConsume(','));
            parser.expect(']');
        }
        parser.end();
        return objects;
    }

    private static final class Parser
    {
        private final String text;
        private int pos;

        Parser(final String text)
        {
            this.text = text;
        }

        Map<String, Object> object()
        {
            final Map<String, Object> fields = new LinkedHashMap<>();
            expect('{');
            if (tryConsume('}'))
            {
                return fields;
            }
            do
            {
                final String name = string();
                expect(':');
                skipSpace();
                final Object value = pos < text.length() && '"' == text.charAt(pos) ? string() : number();
                if (null != fields.put(name, value))
                {
                    throw error("duplicate key '" + name + "'");
                }
            }
            while (tryConsume(','));
            expect('}');
            return fields;
        }

        String string()
        {
            expect('"');
            final StringBuilder out = new StringBuilder();
            while (pos < text.length() && '"' != text.charAt(pos))
            {
                char c = text.charAt(pos++);
                if ('\\' == c)
                {
                    c = text.charAt(pos++);
                    if ('u' == c)
                    {
                        c = (char)Integer.parseInt(text.substring(pos, pos + 4), 16);
                        pos += 4;
                    }
                }
                out.append(c);
            }
            expect('"');
            return out.toString();
        }

        Long number()
        {
            final int start = pos;
            if (pos < text.length() && '-' == text.charAt(pos))
            {
                pos++;
            }
            while (pos < text.length() && Character.isDigit(text.charAt(pos)))
            {
                pos++;
            }
            if (start == pos || (pos - start == 1 && '-' == text.charAt(start)))
            {
                throw error("a string or an integer expected");
            }
            return Long.parseLong(text.substring(start, pos));
        }

        void expect(final char c)
        {
            if (!tryConsume(c))
            {
                throw error("'" + c + "' expected");
            }
        }

        boolean tryConsume(final char c)
        {
            skipSpace();
            if (pos < text.length() && c == text.charAt(pos))
            {
                pos++;
                return true;
            }
            return false;
        }

        void end()
        {
            skipSpace();
            if (pos != text.length())
            {
                throw error("text after the array");
            }
        }

        void skipSpace()
        {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos)))
            {
                pos++;
            }
        }

        IllegalArgumentException error(final String what)
        {
            return new IllegalArgumentException("not the harness's JSON at offset " + pos + ": " + what);
        }
    }
}
