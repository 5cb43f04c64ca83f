/** A VSS error body like Azure DevOps sends. */
export function vssError(typeKey: string, message: string): Record<string, unknown> {
  return {
    $id: '1',
    innerException: null,
    message,
    typeName: `Microsoft.VisualStudio.Services.WebApi.${typeKey}, Microsoft.VisualStudio.Services.WebApi`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  };
}
