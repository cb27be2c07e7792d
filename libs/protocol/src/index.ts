export { SdpError, parseSdp, parseAnswer, rejectedSections, rejectedMids, codecNames, countCandidates } from './sdp';
export type { MediaKind, Direction, Role, CodecInfo, MediaSection, SdpSummary } from './sdp';
export { parseOffer } from './sdp-offer';
export type { SdpOffer } from './sdp-offer';
export { preferH264PacketizationMode1, withH264ProfileLevelId } from './sdp-munge';
export { formatLink, formatLinks, iceServerLinks, parseLinks } from './link-header';
export type { LinkEntry, IceServer, ParseLinksOptions } from './link-header';
export { parseSdpFragment, formatSdpFragment, isIceRestart } from './sdpfrag';
export type { SdpFragment, SdpFragmentMedia } from './sdpfrag';
export { offerWithNewIce, answerFragment } from './ice-restart';
export { formatServerSentEvent, formatServerSentComment, parseServerSentEvents } from './sse';
export type { ServerSentEvent } from './sse';
export { parseRtp, VideoProbe } from './rtp-video';
export type { RtpPacket, ProbeCodec, VideoProbeSnapshot } from './rtp-video';
export { h264Units, h264SpsDimensions, h264ProfileLevelId, vp8Keyframe } from './video-bitstream';
export type { H264Units } from './video-bitstream';
export {
  DEFAULT_CANDIDATE_DENY,
  parseCidrList,
  candidatePolicy,
  candidateAddress,
  isCandidateDenied,
  withoutDeniedCandidates,
} from './candidate-policy';
export type { CandidatePolicy } from './candidate-policy';
