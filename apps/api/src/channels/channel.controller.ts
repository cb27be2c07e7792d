import { Controller, Get, Param } from '@nestjs/common';
import { ChannelService, ChannelStatus } from './channel.service';

@Controller('channels')
export class ChannelController {
  constructor(private readonly channels: ChannelService) {}

  /** The directory: public channels that are live now. */
  @Get()
  async list(): Promise<{ channels: ChannelStatus[] }> {
    return { channels: await this.channels.listLive() };
  }

  @Get(':slug')
  status(@Param('slug') slug: string): Promise<ChannelStatus> {
    return this.channels.status(slug);
  }
}
