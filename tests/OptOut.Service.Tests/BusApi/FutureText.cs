using System.ComponentModel.DataAnnotations;
using OptOut.Contracts;

// A namespace of its own: the generator maps the records of one contracts namespace.
namespace OptOut.Service.Tests.BusApi.FutureContracts;

/// <summary>A contract whose account id is an opaque string, annotated as the contracts' account ids are to be.</summary>
public sealed record FutureText
{
    public const string AccountIdPattern = "^[A-Za-z0-9._:@-]{1,64}$";

    [Required]
    [StringLength(64, MinimumLength = 1)]
    [RegularExpression(AccountIdPattern)]
    [AcceptsJsonNumber]
    public string? AccountId { get; init; }

    public string? Body { get; init; }
}
