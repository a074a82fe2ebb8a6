using Platform.ServiceDefaults.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Scoring.Registry;

public static class RewardModelsApi
{
    public const long MaxImportBytes = 16 * 1024 * 1024;

    /// <summary>The model registry (admin key): list versions, activate, roll back, shadow, and import safetensors reward heads.</summary>
    public static IEndpointRouteBuilder MapRewardModelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/reward-models").WithTags("Reward models").RequireAuthorization(AccessRoles.Admin);
        group.MapGet("/", (ModelRegistry registry, CancellationToken ct) => registry.ListAsync(ct)).WithName("ListRewardModels");
        group.MapPost("/{version}/activate", ActivateAsync).WithName("ActivateRewardModel");
        group.MapPost("/{version}/shadow", ShadowAsync).WithName("ShadowRewardModel");
        group.MapPost("/rollback", RollbackAsync).WithName("RollbackRewardModel");
        group.MapPost("/import", ImportAsync).WithName("ImportRewardModel");
        group.MapPost("/rescore", async (Results.RescoreRequest request, Results.Rescoring rescoring, CancellationToken ct) =>
            TypedResults.Accepted("/scored-listings", await rescoring.QueueAsync(request, ct))).WithName("RescoreListings");
        return app;
    }

    private static async Task<Results<NoContent, NotFound>> ActivateAsync(string version, ModelRegistry registry, CancellationToken ct)
    {
        try
        {
            await registry.ActivateAsync(version, ct);
            return TypedResults.NoContent();
        }
        catch (KeyNotFoundException)
        {
            return TypedResults.NotFound();
        }
    }

    private static async Task<Results<NoContent, NotFound>> ShadowAsync(string version, ModelRegistry registry, CancellationToken ct)
    {
        try
        {
            await registry.ShadowAsync(version, ct);
            return TypedResults.NoContent();
        }
        catch (KeyNotFoundException)
        {
            return TypedResults.NotFound();
        }
    }

    private static async Task<Results<Ok<string>, Conflict<string>>> RollbackAsync(ModelRegistry registry, CancellationToken ct) =>
        await registry.RollbackAsync(ct) is { } version ? TypedResults.Ok(version) : TypedResults.Conflict("No earlier version to roll back to.");

    /// <summary>Body: a safetensors file with the QualityNet layout (hidden.weight/bias, output.weight/bias). Stored inactive.</summary>
    private static async Task<Results<Ok<string>, ValidationProblem>> ImportAsync(HttpRequest request, ModelRegistry registry, CancellationToken ct)
    {
        if (request.ContentLength is > MaxImportBytes)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"At most {MaxImportBytes} bytes."] });
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        try
        {
            return TypedResults.Ok(await registry.RegisterAsync(buffer.ToArray(), "imported", new Dictionary<string, double>(), ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"Not a loadable quality network: {e.Message}"] });
        }
    }
}
