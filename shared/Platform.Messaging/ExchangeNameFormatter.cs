using System.Reflection;
using MassTransit;
using Platform.Contracts;

namespace Platform.Messaging;

/// <summary>
/// Exchanges are named by the contract's <see cref="ExchangeNameAttribute"/> (stable, kebab-case, language-neutral)
/// instead of MassTransit's default of the .NET type name.
/// </summary>
public sealed class ExchangeNameFormatter(IEntityNameFormatter fallback) : IEntityNameFormatter
{
    public string FormatEntityName<T>() =>
        typeof(T).GetCustomAttribute<ExchangeNameAttribute>()?.Name ?? fallback.FormatEntityName<T>();
}
