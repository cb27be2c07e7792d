import type { Metadata } from 'next';
import { ChannelStudio } from '@/components/ChannelStudio';
import { configuredPublicApiUrl } from '@/lib/public-api-url';

export const metadata: Metadata = { title: 'Channel · Studio' };
// ONAIR_PUBLIC_API_URL is read per request.
export const dynamic = 'force-dynamic';

export default async function ChannelStudioPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ChannelStudio id={id} publicApiUrl={configuredPublicApiUrl()} />;
}
