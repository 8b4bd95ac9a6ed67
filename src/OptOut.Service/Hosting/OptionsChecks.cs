using Microsoft.Extensions.Options;

namespace OptOut.Service.Hosting;

internal static class OptionsChecks
{
    /// <summary>
    /// Checks the options when the host starts (and whenever they are first read). A setting that can't work throws
    /// <see cref="InvalidOperationException"/> naming it, like the host's other configuration checks
    /// (<c>Storage:Provider</c>), so the service stops at start-up with that one line instead of failing later.
    /// </summary>
    public static OptionsBuilder<T> CheckedOnStart<T>(this OptionsBuilder<T> builder, Action<T> ensureUsable)
        where T : class =>
        builder.Validate(options =>
        {
            ensureUsable(options);
            return true;
        }).ValidateOnStart();
}
