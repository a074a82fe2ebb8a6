using Platform.Messaging;
using Platform.Scoring;
using Platform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddScoring();
builder.AddMessaging(bus => bus.AddScoringConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapScoring();
app.Run();
