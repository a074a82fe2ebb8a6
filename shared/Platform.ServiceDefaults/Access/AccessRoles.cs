namespace Platform.ServiceDefaults.Access;

/// <summary>Authorization policy names for endpoints: <c>.RequireAuthorization(AccessRoles.Admin)</c>.</summary>
public static class AccessRoles
{
    public const string Publisher = "publisher";
    public const string Admin = "admin";

    /// <summary>Where a client puts its key; <c>Authorization: Bearer &lt;key&gt;</c> works too.</summary>
    public const string ApiKeyHeader = "X-Api-Key";
}
