namespace Platform.Messaging;

/// <summary>Wakes one database's outbox relay; typed per database so each relay has its own.</summary>
public sealed class OutboxSignal<TDatabase> : WakeSignal;
