package io.ferrite.tools.cli;

/**
 * A bad command line: an unknown or missing option, a value that does not parse, or one of the wrong type.
 * The CLI prints it as the AWS CLI does (with the usage text when {@link #showUsage()}) and exits with 252,
 * the AWS CLI's code for parameter and usage errors. Nothing was sent to the database.
 * <p>
 * Threading: immutable.
 */
public final class ParamException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final boolean showUsage;

    private ParamException(final String message, final boolean showUsage)
    {
        super(message, null, false, false);
        this.showUsage = showUsage;
    }

    /**
     * @param message what was wrong with the command line, naming the option.
     * @return an error printed after the usage text.
     */
    public static ParamException usage(final String message)
    {
        return new ParamException(message, true);
    }

    /**
     * @param message what was wrong with a parameter's value, naming the option.
     * @return an error printed alone.
     */
    public static ParamException parameter(final String message)
    {
        return new ParamException(message, false);
    }

    /**
     * A value of the wrong shape, reported as botocore's "Parameter validation failed".
     *
     * @param detail the line naming the parameter path and the rule.
     * @return the error.
     */
    public static ParamException validation(final String detail)
    {
        return new ParamException("Parameter validation failed:\n" + detail, false);
    }

    /**
     * @return true when the usage text is printed before the message.
     */
    public boolean showUsage()
    {
        return showUsage;
    }
}
