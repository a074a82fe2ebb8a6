namespace Platform.Contracts;

/// <summary>
/// The stable, kebab-case name of the exchange an event is published to. Non-.NET clients bind to this name,
/// so it never changes when a type is renamed or moved.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ExchangeNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
